/**
 * Consumer groups through backup and restore, on real brokers: a group's committed
 * offsets are snapshotted, translated onto the restored topic, and a real consumer of the
 * group on the target reads exactly what it had not consumed on the source.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { kafkaBootstrap, kafkaBootstrap2, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs, testKafka } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { readArchive } from "../helpers/archive.ts";
import { consumeAsGroup, groupOffsets, keyText, setGroupOffsets } from "../helpers/groups.ts";

const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r)).sort();

/** Produces committed, aborted and committed transactions into partition 1. */
async function transactionsInto(topic: string): Promise<void> {
  const producer = testKafka(kafkaBootstrap()).producer({
    transactionalId: `${topic}-txn`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const send = async (tag: string, n: number, commit: boolean) => {
    const tx = await producer.transaction();
    const messages = Array.from({ length: n }, (_, i) => ({
      partition: 1,
      key: Buffer.from(`p1-${tag}-${i}`),
      value: Buffer.from(`value ${tag} ${i}`),
    }));
    await tx.send({ topic, messages });
    await (commit ? tx.commit() : tx.abort());
  };
  await send("a", 10, true);
  await send("aborted", 5, false);
  await send("b", 10, true);
  await producer.disconnect();
}

/** Rolls partition 0's segments until the cleaner has left a gap in its offsets. */
async function compactionGap(topic: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    await produceWithKafkajs(kafkaBootstrap(), topic, [
      { partition: 0, key: bytes("roll"), value: bytes(`roll ${attempt}`), headers: [] },
    ]);
    const offsets = (await readTopicWithKcat(kafkaBootstrap(), topic))
      .filter((r) => r.partition === 0).map((r) => r.offset!);
    if (offsets.some((o, i) => i > 0 && o !== offsets[i - 1] + 1)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("compaction left no gap to test");
}

Deno.test("a group committed mid-way reads on the restored topic exactly the records it had not consumed (strategy same, second cluster)", async () => {
  const topic = randomName("groups");
  await createTopic(kafkaBootstrap(), topic, {
    partitions: 3,
    config: {
      "cleanup.policy": "compact",
      "min.cleanable.dirty.ratio": "0.001",
      "min.compaction.lag.ms": "0",
      "segment.ms": "100",
    },
  });
  // Partition 0: four keys updated over and over (compaction leaves gaps); partition 2: plain.
  await produceWithKafkajs(kafkaBootstrap(), topic, [
    ...Array.from({ length: 40 }, (_, i) => ({
      partition: 0,
      key: bytes(`p0-k${i % 4}`),
      value: bytes(`p0 value ${i}`),
      headers: [["i", bytes(String(i))]] as Array<[string, Uint8Array]>,
    })),
    ...Array.from({ length: 30 }, (_, i) => ({
      partition: 2,
      key: bytes(`p2-${i}`),
      value: bytes(`p2 value ${i}`),
      headers: [],
    })),
  ]);
  await transactionsInto(topic);
  await compactionGap(topic);

  // G: p0 inside the compaction gap, p1 at the first aborted record, p2 at 12. H: only p1.
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  const p0 = source.filter((r) => r.partition === 0).map((r) => r.offset!);
  const gapAt = p0.find((o, i) => i > 0 && o !== p0[i - 1] + 1)! - 1;
  const offsets = { 0: gapAt, 1: 10, 2: 12 };
  await setGroupOffsets(kafkaBootstrap(), `${topic}-G`, topic, offsets);
  await setGroupOffsets(kafkaBootstrap(), `${topic}-H`, topic, { 1: 3 });

  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  const archived = (await readArchive(dir, topic)).records;

  const target = randomName("groups-target");
  const job = restoreJob(topic, target, dir, {
    BOOTSTRAP_SERVERS: kafkaBootstrap2(),
    CREATE_TOPIC: true,
    // The restored topic must not compact away what the consumer is to read.
    TOPIC_CONFIG_OVERRIDES: { [target]: { "cleanup.policy": "delete" } },
    RESTORE_CONSUMER_GROUPS: [`${topic}-G`, `${topic}-H`],
    CONSUMER_GROUP_MAP: { [`${topic}-G`]: `${topic}-G2` },
  });
  expectExit(await runScript("restore.ts", [await writeJob(job)]), 0);

  const unconsumed = archived.filter((r) => r.offset! >= offsets[r.partition as 0 | 1 | 2]);
  const read = await consumeAsGroup(kafkaBootstrap2(), `${topic}-G2`, target);
  assert.deepEqual(view(read), view(unconsumed));
  // H committed only on partition 1: the others stay uncommitted.
  const h = await groupOffsets(kafkaBootstrap2(), `${topic}-H`, target);
  assert.deepEqual(Object.keys(h), ["1"]);
  const restored = await readTopicWithKcat(kafkaBootstrap2(), target);
  const atH = restored.find((r) => r.partition === 1 && r.offset === h[1]);
  const firstForH = archived.find((r) => r.partition === 1 && r.offset! >= 3)!;
  assert.equal(atH && keyText(atH), keyText(firstForH));
});

/** Source topic for the strategies that mix partitions: keys say where each record came from. */
async function mixedSource(): Promise<{ topic: string; dir: string; source: TestRecord[] }> {
  const topic = randomName("mix");
  await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
  await produceWithKafkajs(
    kafkaBootstrap(),
    topic,
    Array.from({ length: 600 }, (_, i) => ({
      partition: i % 3,
      key: bytes(`k-${i % 3}-${Math.floor(i / 3)}`),
      value: bytes(`value ${i}`),
      headers: [],
    })),
  );
  // p0 consumed to 50, p1 to 150, p2 never committed (nothing of it consumed).
  await setGroupOffsets(kafkaBootstrap(), `${topic}-G`, topic, { 0: 50, 1: 150 });
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  return { topic, dir, source: await readTopicWithKcat(kafkaBootstrap(), topic) };
}

for (const strategy of ["random", "key"]) {
  Deno.test(`strategy ${strategy}: in each target partition the group starts at the first record it had not consumed`, async () => {
    const { topic, dir, source } = await mixedSource();
    const consumedOn: Record<number, number> = { 0: 50, 1: 150 };
    const sourceOf = new Map(source.map((r) => [keyText(r), r]));
    const consumed = (r: TestRecord) => {
      const from = sourceOf.get(keyText(r))!;
      return from.offset! < (consumedOn[from.partition] ?? 0);
    };
    const target = randomName(`mix-${strategy}`);
    await createTopic(kafkaBootstrap(), target, { partitions: 2 });
    const job = restoreJob(topic, target, dir, {
      RESTORE_PARTITION_STRATEGY: strategy,
      RECORDS_PER_TRANSACTION: 40,
      NUMBER_OF_KAFKA_THREADS: 2,
      RESTORE_CONSUMER_GROUPS: "*",
    });
    expectExit(await runScript("restore.ts", [await writeJob(job)]), 0);

    const committed = await groupOffsets(kafkaBootstrap(), `${topic}-G`, target);
    const restored = await readTopicWithKcat(kafkaBootstrap(), target);
    let seenTwice = 0;
    for (const t of [0, 1]) {
      const inT = restored.filter((r) => r.partition === t);
      const at = committed[t];
      assert.ok(at !== undefined, `no offset committed on target partition ${t}`);
      // Nothing skipped: every record before the committed offset had been consumed ...
      assert.deepEqual(inT.filter((r) => r.offset! < at && !consumed(r)).map(keyText), []);
      // ... and the record at it had not (so the offset is not lower than it must be).
      const first = inT.find((r) => r.offset! >= at);
      assert.ok(first && !consumed(first), `the record at ${t}/${at} was consumed already`);
      seenTwice += inT.filter((r) => r.offset! >= at && consumed(r)).length;
    }
    const read = await consumeAsGroup(kafkaBootstrap(), `${topic}-G`, target);
    const readKeys = new Set(read.map(keyText));
    const notConsumed = source.filter((r) => r.offset! >= (consumedOn[r.partition] ?? 0));
    assert.deepEqual(notConsumed.filter((r) => !readKeys.has(keyText(r))).map(keyText), []);
    assert.equal(read.length, notConsumed.length + seenTwice);
    console.log(`${strategy}: ${seenTwice} of 200 consumed records seen again`);
  });
}
