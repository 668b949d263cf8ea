/**
 * What Kafka really contains: compressed batches of every codec, transactions with
 * aborted records and commit markers, compacted topics with offset gaps.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { kafkaBootstrap, randomName, requireEnv } from "../helpers/env.ts";
import { createTopic, endOffsets, testKafka } from "../helpers/kafka.ts";
import { produceWithKcat, readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob } from "../helpers/jobs.ts";
import { duplicates, readArchive } from "../helpers/archive.ts";
import { LocalBackend } from "../../lib/storage/local.ts";
import { readPartitionIndex } from "../../lib/archive/store.ts";

const records = (n: number, tag: string): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: 0,
    key: bytes(`${tag}-key-${i % 3}`),
    value: bytes(`${tag} value ${i} `.repeat(20)),
    headers: [["n", bytes(String(i))]],
  }));

const asText = (rs: TestRecord[]) =>
  rs.map((r) => describeRecord(r, { offset: true, timestamp: true }));

for (const codec of ["gzip", "snappy", "lz4", "zstd"] as const) {
  Deno.test(`backup reads batches that kcat compressed with ${codec}`, async () => {
    const topic = randomName(`codec-${codec}`);
    await createTopic(kafkaBootstrap(), topic);
    await produceWithKcat(kafkaBootstrap(), topic, records(5, codec), { compression: codec });
    const dir = await Deno.makeTempDir();
    expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
    const archived = await readArchive(dir, topic);
    assert.deepEqual(
      asText(archived.records),
      asText(await readTopicWithKcat(kafkaBootstrap(), topic)),
    );
    assert.equal(archived.records.length, 5);
  });
}

Deno.test("backup keeps committed transactions, drops aborted ones, and ends on a commit marker", async () => {
  const topic = randomName("txn");
  await createTopic(kafkaBootstrap(), topic);
  const producer = testKafka(kafkaBootstrap()).producer({
    transactionalId: topic,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const send = async (values: string[], commit: boolean) => {
    const tx = await producer.transaction();
    await tx.send({ topic, messages: values.map((v) => ({ value: Buffer.from(v) })) });
    await (commit ? tx.commit() : tx.abort());
  };
  await send(["c1", "c2"], true);
  await send(["a1", "a2", "a3"], false);
  await send(["c3"], true);
  await producer.disconnect();
  // The log ends in a commit marker: the end offset is one past it, no record has it.
  const [end] = await endOffsets(kafkaBootstrap(), topic);
  assert.equal(end, 9);

  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  const archived = await readArchive(dir, topic);
  assert.deepEqual(archived.records.map((r) => new TextDecoder().decode(r.value!)), [
    "c1",
    "c2",
    "c3",
  ]);
  assert.deepEqual(archived.records.map((r) => r.offset), [0, 1, 7]);
  // The archive covers the whole log, markers included, so the next run starts after them.
  const backend = new LocalBackend(dir);
  const { entries } = await readPartitionIndex(backend, topic, 0);
  assert.equal(entries.at(-1)!.to, 8);

  // A second once-run finds nothing new and stores nothing.
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  const again = await readArchive(dir, topic);
  assert.deepEqual(duplicates(again.records), []);
  assert.equal(again.chunks, archived.chunks);
});

Deno.test("backup of a compacted topic records the offset gaps compaction left", async () => {
  const topic = randomName("compacted");
  await createTopic(kafkaBootstrap(), topic, {
    config: {
      "cleanup.policy": "compact",
      "min.cleanable.dirty.ratio": "0.001",
      "min.compaction.lag.ms": "0",
      "delete.retention.ms": "0",
      "segment.ms": "100",
    },
  });
  // Many updates of three keys: compaction keeps mostly the latest of each.
  await produceWithKcat(kafkaBootstrap(), topic, records(60, "compact"));
  let inKafka: TestRecord[] = [];
  for (let attempt = 0; attempt < 120; attempt++) {
    // Roll the active segment so the cleaner may compact the older ones.
    await produceWithKcat(kafkaBootstrap(), topic, [{
      partition: 0,
      key: bytes("roll"),
      value: bytes("r"),
      headers: [],
    }]);
    inKafka = await readTopicWithKcat(kafkaBootstrap(), topic);
    const offsets = inKafka.map((r) => r.offset!);
    if (offsets.some((o, i) => i > 0 && o !== offsets[i - 1] + 1)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const offsets = inKafka.map((r) => r.offset!);
  assert.ok(
    offsets.some((o, i) => i > 0 && o !== offsets[i - 1] + 1),
    "compaction left no gap to test",
  );

  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  const archived = await readArchive(dir, topic);
  // Compaction may have gone on in between: what we have must be a superset-free match of
  // the records at their offsets, without duplicates, with the gaps listed in the index.
  assert.deepEqual(duplicates(archived.records), []);
  const byOffset = new Map(inKafka.map((r) => [r.offset, describeRecord(r, { offset: true })]));
  for (const r of archived.records) {
    const seen = byOffset.get(r.offset);
    if (seen) assert.equal(describeRecord(r, { offset: true }), seen);
  }
  const { entries } = await readPartitionIndex(new LocalBackend(dir), topic, 0);
  const gaps = entries.flatMap((e) => e.gaps);
  assert.ok(gaps.length > 0, "the index lists no gap");
  const archivedOffsets = new Set(archived.records.map((r) => r.offset!));
  for (const [from, to] of gaps) {
    for (let o = from; o <= to; o++) assert.equal(archivedOffsets.has(o), false);
  }
});

/** Flips one byte in the last byte of the record batch at `baseOffset` in a partition's log. */
async function damageBatchInLog(topic: string, partition: number, baseOffset: number) {
  const segment = `${requireEnv("KB_TEST_RUN_DIR")}/kafka/data/${topic}-${partition}/` +
    "00000000000000000000.log";
  const log = await Deno.readFile(segment);
  const view = new DataView(log.buffer);
  for (let at = 0; at + 12 <= log.length; at += 12 + view.getInt32(at + 8)) {
    if (Number(view.getBigInt64(at)) !== baseOffset) continue;
    const last = at + 12 + view.getInt32(at + 8) - 1;
    const file = await Deno.open(segment, { write: true });
    try {
      await file.seek(last, Deno.SeekMode.Start);
      await file.write(Uint8Array.of(log[last] ^ 0x01));
    } finally {
      file.close();
    }
    return;
  }
  throw new Error(`no batch at offset ${baseOffset} in ${segment}`);
}

Deno.test("a record batch damaged in the broker's log stops the backup with exit 5, archiving none of it", async () => {
  const topic = randomName("damaged");
  await createTopic(kafkaBootstrap(), topic);
  // Three sends, three batches: offsets 0-9, 10-19, 20-29.
  for (let i = 0; i < 3; i++) {
    await produceWithKcat(kafkaBootstrap(), topic, records(10, `batch${i}`));
  }
  assert.deepEqual(await endOffsets(kafkaBootstrap(), topic), [30]);
  // The broker serves its log as it is on disk (page cache), without checking it.
  await damageBatchInLog(topic, 0, 10);
  const dir = await Deno.makeTempDir();
  const result = await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]);
  expectExit(result, 5);
  assert.match(result.stderr, new RegExp(`damaged record batch of ${topic}/0`));
  assert.match(result.stderr, /at offset 10 fails its CRC32C check/);
  const archived = await readArchive(dir, topic);
  assert.deepEqual(archived.records.filter((r) => r.offset! >= 10), []);
});
