/**
 * Backup then restore: the target holds what the source held (kcat reads both), with
 * each partition strategy, into a second cluster, and under another topic name.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Partitioners } from "kafkajs";
import { kafkaBootstrap, kafkaBootstrap2, randomName } from "../helpers/env.ts";
import { createTopic } from "../helpers/kafka.ts";
import { produceWithKcat, readTopicWithKcat } from "../helpers/kcat.ts";
import { describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { fidelityDataset } from "./backup_fidelity_test.ts";

/** The dataset has a 1 MiB record: topics take up to 8 MiB. */
const BIG = { "max.message.bytes": "8388608" };

async function backedUpTopic(
  partitions = 3,
): Promise<{ topic: string; dir: string; source: TestRecord[] }> {
  const topic = randomName("rt");
  await createTopic(kafkaBootstrap(), topic, { partitions, config: BIG });
  await produceWithKcat(kafkaBootstrap(), topic, fidelityDataset());
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  return { topic, dir, source: await readTopicWithKcat(kafkaBootstrap(), topic) };
}

// Partition, order within it, key, value, headers, timestamp. Not offsets: each restore
// transaction adds a commit marker to the target, so target offsets run ahead of the source's.
const exact = (rs: TestRecord[]) => rs.map((r) => describeRecord(r, { timestamp: true }));
const content = (rs: TestRecord[]) =>
  rs.map((r) => describeRecord(r, { partition: false, timestamp: true })).sort();

Deno.test("restore with strategy same reproduces every partition, its order and timestamps", async () => {
  const { topic, dir, source } = await backedUpTopic();
  const target = randomName("rt-same");
  await createTopic(kafkaBootstrap(), target, { partitions: 3 });
  const result = await runScript("restore.ts", [await writeJob(restoreJob(topic, target, dir))]);
  expectExit(result, 0);
  assert.deepEqual(exact(await readTopicWithKcat(kafkaBootstrap(), target)), exact(source));
  assert.match(result.stdout, /records\s+9/);
});

Deno.test("restore with strategy random keeps every record and uses the target's partitions", async () => {
  const { topic, dir, source } = await backedUpTopic();
  const target = randomName("rt-random");
  await createTopic(kafkaBootstrap(), target, { partitions: 2 });
  // The smallest buffer: the chunk holding the 1 MiB record is larger than all of it and
  // must be restored alone, the others wait their turn.
  const job = restoreJob(topic, target, dir, {
    RESTORE_PARTITION_STRATEGY: "random",
    BUFFER_MAX_BYTES: 1024 * 1024,
  });
  expectExit(await runScript("restore.ts", [await writeJob(job)]), 0);
  const restored = await readTopicWithKcat(kafkaBootstrap(), target);
  assert.deepEqual(content(restored), content(source));
  assert.ok(restored.every((r) => r.partition < 2));
});

Deno.test("restore with strategy key puts each key where Kafka's default partitioner would", async () => {
  const { topic, dir, source } = await backedUpTopic();
  const target = randomName("rt-key");
  await createTopic(kafkaBootstrap(), target, { partitions: 5 });
  const job = restoreJob(topic, target, dir, { RESTORE_PARTITION_STRATEGY: "key" });
  expectExit(await runScript("restore.ts", [await writeJob(job)]), 0);
  const restored = await readTopicWithKcat(kafkaBootstrap(), target);
  assert.deepEqual(content(restored), content(source));
  // kafkajs's Java-compatible partitioner is the independent oracle for murmur2.
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: 5 }, (_, i) => ({
    partitionId: i,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));
  for (const r of restored.filter((r) => r.key !== null)) {
    const key = Buffer.from(r.key!);
    const expected = partitioner({
      topic: target,
      partitionMetadata,
      message: { key, value: null },
    });
    assert.equal(r.partition, expected, `key ${new TextDecoder().decode(r.key!)}`);
  }
});

Deno.test("restore into a second cluster under another name creates the topic when asked", async () => {
  const { topic, dir, source } = await backedUpTopic();
  const target = randomName("rt-elsewhere");
  const job = restoreJob(topic, target, dir, {
    BOOTSTRAP_SERVERS: kafkaBootstrap2(),
    CREATE_TOPIC: true,
  });
  expectExit(await runScript("restore.ts", [await writeJob(job)]), 0);
  assert.deepEqual(exact(await readTopicWithKcat(kafkaBootstrap2(), target)), exact(source));
});

Deno.test("the Python tool's local restore.json shape (topic directory, no BACKUP_TOPIC_NAME) restores", async () => {
  const { topic, dir, source } = await backedUpTopic();
  const target = randomName("rt-python-layout");
  await createTopic(kafkaBootstrap(), target, { partitions: 3 });
  const job = {
    BOOTSTRAP_SERVERS: kafkaBootstrap(),
    RESTORE_TOPIC_NAME: target,
    FILESYSTEM_TYPE: "LINUX",
    FILESYSTEM_BACKUP_DIR: `${dir}/${topic}`,
    RETRY_SECONDS: 100,
    RESTORE_PARTITION_STRATEGY: "same",
  };
  expectExit(await runScript("restore.ts", ["--once", await writeJob(job)]), 0);
  assert.deepEqual(exact(await readTopicWithKcat(kafkaBootstrap(), target)), exact(source));
});
