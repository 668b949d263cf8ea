/**
 * The archive holds exactly what Kafka holds: kcat (librdkafka, a client we did not
 * write) writes the data and reads it back as the oracle.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic } from "../helpers/kafka.ts";
import { produceWithKcat, readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob } from "../helpers/jobs.ts";
import { duplicates, readArchive } from "../helpers/archive.ts";

/** Binary values, null versus empty, duplicate and null-valued headers, a 1 MiB record. */
export function fidelityDataset(): TestRecord[] {
  const invalidUtf8 = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a, 0x0d, 0x80]);
  const big = new Uint8Array(1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
  return [
    { partition: 0, key: bytes("k1"), value: invalidUtf8, headers: [] },
    {
      partition: 0,
      key: bytes("k2"),
      value: bytes("line one\nline two\r\n"),
      headers: [["h", bytes("x")]],
    },
    { partition: 0, key: null, value: bytes("null key"), headers: [] },
    { partition: 0, key: bytes(""), value: bytes("empty key"), headers: [] },
    { partition: 0, key: bytes("null value"), value: null, headers: [] },
    { partition: 0, key: bytes("empty value"), value: bytes(""), headers: [] },
    {
      partition: 1,
      key: bytes("headers"),
      value: bytes("v"),
      headers: [["a", bytes("1")], ["b", null], ["a", bytes("3")], ["a", bytes("")]],
    },
    { partition: 1, key: bytes("big"), value: big, headers: [] },
    { partition: 2, key: bytes("p2"), value: bytes("last"), headers: [["only", bytes("one")]] },
  ];
}

function sameRecords(actual: TestRecord[], expected: TestRecord[]) {
  const fields = { offset: true, timestamp: true };
  assert.deepEqual(
    actual.map((r) => describeRecord(r, fields)),
    expected.map((r) => describeRecord(r, fields)),
  );
}

for (const timestampType of ["CreateTime", "LogAppendTime"]) {
  Deno.test(`backup archives exactly what kcat wrote to a ${timestampType} topic`, async () => {
    const topic = randomName("fidelity");
    await createTopic(kafkaBootstrap(), topic, {
      partitions: 3,
      config: { "message.timestamp.type": timestampType, "max.message.bytes": "8388608" },
    });
    await produceWithKcat(kafkaBootstrap(), topic, fidelityDataset());
    const dir = await Deno.makeTempDir();
    const result = await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]);
    expectExit(result, 0);

    const archived = await readArchive(dir, topic);
    const inKafka = await readTopicWithKcat(kafkaBootstrap(), topic);
    assert.equal(archived.records.length, fidelityDataset().length);
    assert.deepEqual(duplicates(archived.records), []);
    sameRecords(archived.records, inKafka);
    assert.match(result.stdout, /records\s+9/);
  });
}
