/**
 * Topics that change under a continuous backup, on a real broker: a new topic matching
 * TOPIC_INCLUDE_REGEX, partitions added to a backed-up topic, a backed-up topic deleted.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs, testKafka } from "../helpers/kafka.ts";
import { bytes, taggedRecords, type TestRecord } from "../helpers/records.ts";
import {
  expectExit,
  finish,
  logMessages,
  runScript,
  spawnScript,
  writeJob,
} from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { readArchive } from "../helpers/archive.ts";

const records = (tag: string, n: number, partitions = 1): TestRecord[] =>
  taggedRecords(tag, n, { partitions });

/** Waits until the archive of `topic` holds `n` records (or fails after 40 s). */
async function archived(dir: string, topic: string, n: number): Promise<void> {
  let count = 0;
  for (let i = 0; i < 400; i++) {
    count = (await readArchive(dir, topic)).records.length;
    if (count >= n) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(count >= n, `${topic}: ${count} of ${n} records archived`);
}

async function admin<T>(fn: (a: ReturnType<ReturnType<typeof testKafka>["admin"]>) => Promise<T>) {
  const a = testKafka(kafkaBootstrap()).admin();
  await a.connect();
  try {
    return await fn(a);
  } finally {
    await a.disconnect();
  }
}

/** A continuous backup of every topic named `<prefix>-*`, refreshing its topics every second. */
async function continuousBackup(prefix: string, dir: string) {
  const job = backupJob([], dir, {
    TOPIC_NAMES: [],
    TOPIC_INCLUDE_REGEX: `${prefix}-.*`,
    GROUP_ID: `${prefix}-backup`,
    RUN_MODE: "continuous",
    NUMBER_OF_KAFKA_THREADS: 2,
    MAX_CHUNK_AGE_SECONDS: 0.5,
    TOPIC_REFRESH_SECONDS: 1,
  });
  return spawnScript("backup.ts", [await writeJob(job)]);
}

Deno.test("a new topic matching TOPIC_INCLUDE_REGEX and a partition added under a continuous backup are backed up", async () => {
  const prefix = randomName("refresh");
  const first = `${prefix}-a`;
  await createTopic(kafkaBootstrap(), first);
  await produceWithKafkajs(kafkaBootstrap(), first, records("a1", 50));
  const dir = await Deno.makeTempDir();
  const backup = await continuousBackup(prefix, dir);
  try {
    await archived(dir, first, 50);
    const second = `${prefix}-b`;
    await createTopic(kafkaBootstrap(), second, { partitions: 2 });
    await produceWithKafkajs(kafkaBootstrap(), second, records("b", 40, 2));
    await archived(dir, second, 40);
    await admin((a) => a.createPartitions({ topicPartitions: [{ topic: first, count: 2 }] }));
    await produceWithKafkajs(kafkaBootstrap(), first, records("a2", 30, 2));
    await archived(dir, first, 80);
  } finally {
    backup.kill("SIGTERM");
  }
  const stopped = await finish(backup);
  expectExit(stopped, 0);
  const log = logMessages(stopped.stderr);
  assert.match(log, new RegExp(`new topic ${prefix}-b \\(2 partitions\\)`));
  assert.match(log, new RegExp(`${first} has 2 partitions \\(was 1\\)`));
  const partitions = new Set((await readArchive(dir, first)).records.map((r) => r.partition));
  assert.deepEqual([...partitions].sort(), [0, 1]);
});

Deno.test("a topic deleted under a continuous backup is dropped cleanly, its archive stays, the others go on", async () => {
  const prefix = randomName("refresh-del");
  const [kept, deleted] = [`${prefix}-kept`, `${prefix}-deleted`];
  for (const topic of [kept, deleted]) {
    await createTopic(kafkaBootstrap(), topic);
    await produceWithKafkajs(kafkaBootstrap(), topic, records(topic, 30));
  }
  const dir = await Deno.makeTempDir();
  const backup = await continuousBackup(prefix, dir);
  try {
    await archived(dir, kept, 30);
    await archived(dir, deleted, 30);
    await admin((a) => a.deleteTopics({ topics: [deleted] }));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await produceWithKafkajs(kafkaBootstrap(), kept, records("later", 20));
    await archived(dir, kept, 50);
  } finally {
    backup.kill("SIGTERM");
  }
  const stopped = await finish(backup);
  expectExit(stopped, 0);
  assert.match(
    logMessages(stopped.stderr),
    new RegExp(`topic ${deleted} is gone from the cluster`),
  );
  assert.equal(
    (await readArchive(dir, deleted)).records.length,
    30,
    "the deleted topic's archive stays",
  );
});

Deno.test("records Kafka deletes under a running backup are recorded as a gap, not a failure or a hang", async () => {
  const topic = randomName("refresh-gap");
  await createTopic(kafkaBootstrap(), topic);
  const total = 20_000;
  const deletedBelow = 15_000;
  // 4 MB: more than a fetch brings (1 MiB per partition), so the deletion overtakes it.
  const big = records("r", total).map((r) => ({ ...r, value: bytes("x".repeat(200)) }));
  await produceWithKafkajs(kafkaBootstrap(), topic, big);
  const dir = await Deno.makeTempDir();
  const job = backupJob([topic], dir, {
    RUN_MODE: "continuous",
    MAX_CHUNK_AGE_SECONDS: 0.5,
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 1000,
    MAX_BYTES_PER_SECOND: 1_000_000,
  });
  const backup = spawnScript("backup.ts", [await writeJob(job)]);
  try {
    await archived(dir, topic, 1000);
    // As Kafka's retention does: every record below the offset is gone from the log.
    await admin(async (a) => {
      await a.fetchTopicMetadata({ topics: [topic] }); // kafkajs needs it loaded first
      await a.deleteTopicRecords({
        topic,
        partitions: [{ partition: 0, offset: String(deletedBelow) }],
      });
    });
    let last = -1;
    for (let i = 0; i < 400 && last < total - 1; i++) {
      last = (await readArchive(dir, topic)).records.at(-1)?.offset ?? -1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(last, total - 1, "the backup reached the end of the partition");
  } finally {
    backup.kill("SIGTERM");
  }
  expectExit(await finish(backup), 0);
  const offsets = (await readArchive(dir, topic)).records.map((r) => r.offset!);
  assert.equal(new Set(offsets).size, offsets.length, "no record archived twice");
  assert.deepEqual(
    offsets.filter((o) => o >= deletedBelow),
    Array.from({ length: total - deletedBelow }, (_, i) => deletedBelow + i),
  );
  assert.ok(offsets.length < total, `the deleted records are missing (${offsets.length} archived)`);
  // The missing offsets are a gap inside a chunk, never a hole: the archive verifies.
  const verify = await runScript("restore.ts", [
    "--verify",
    await writeJob(restoreJob(topic, topic, dir)),
  ]);
  expectExit(verify, 0);
});
