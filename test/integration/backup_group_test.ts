/**
 * Scaling out and stopping: two backup processes in one group split the partitions with
 * nothing lost or stored twice (across a rebalance while chunks are open), and SIGTERM
 * stores open chunks before exiting 0.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, runScript, spawnScript, terminate, writeJob } from "../helpers/cli.ts";
import { backupJob } from "../helpers/jobs.ts";
import { duplicates, readArchive } from "../helpers/archive.ts";

const batch = (start: number, n: number, partitions: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: (start + i) % partitions,
    key: bytes(`key-${start + i}`),
    value: bytes(`value ${start + i}`),
    headers: [],
  }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "topic/partition" values named in the "Created Successful Backupfile" lines. */
function storedPartitions(stderr: string, topic: string): Set<string> {
  const found = new Set<string>();
  for (const m of stderr.matchAll(new RegExp(`${topic}/(\\d+)/\\d+-\\d+\\.chunk`, "g"))) {
    found.add(m[1]);
  }
  return found;
}

Deno.test("two processes with one GROUP_ID split the partitions, across a rebalance, exactly once", async () => {
  const topic = randomName("group");
  await createTopic(kafkaBootstrap(), topic, { partitions: 6 });
  const dir = await Deno.makeTempDir();
  // Chunks stay open (large count, 3 s age) so the rebalance finds open chunks.
  const job = await writeJob(backupJob([topic], dir, {
    RUN_MODE: "continuous",
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100_000,
    MAX_CHUNK_AGE_SECONDS: 3,
  }));
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, 600, 6));
  const first = spawnScript("backup.ts", [job]);
  await sleep(2500);
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(600, 600, 6));
  const second = spawnScript("backup.ts", [job]);
  await sleep(2000);
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(1200, 600, 6));
  await sleep(6000);
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(1800, 600, 6));
  await sleep(5000);
  const [a, b] = await Promise.all([terminate(first), terminate(second)]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);

  // After the rebalance each process stored a share of the partitions.
  assert.ok(storedPartitions(a.stderr, topic).size > 0, "the first process stored nothing");
  assert.ok(storedPartitions(b.stderr, topic).size > 0, "the second process stored nothing");

  const archived = await readArchive(dir, topic);
  const inKafka = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.deepEqual(duplicates(archived.records), []);
  assert.deepEqual(
    archived.records.map((r) => describeRecord(r, { offset: true })),
    inKafka.map((r) => describeRecord(r, { offset: true })),
  );
});

Deno.test("SIGTERM stores the open chunks and exits 0", async () => {
  const topic = randomName("sigterm");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  const dir = await Deno.makeTempDir();
  const job = await writeJob(backupJob([topic], dir, {
    RUN_MODE: "continuous",
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100_000,
    MAX_CHUNK_AGE_SECONDS: 3600,
  }));
  const child = spawnScript("backup.ts", [job]);
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, 300, 2));
  // Nothing reaches a chunk limit: only the stop can store these records.
  await sleep(4000);
  assert.equal((await readArchive(dir, topic)).records.length, 0);
  const { code, stderr } = await terminate(child);
  assert.equal(code, 0, stderr);
  const archived = await readArchive(dir, topic);
  assert.equal(archived.records.length, 300);
  assert.deepEqual(duplicates(archived.records), []);
});

Deno.test("backup.ts --list-topics prints partitions and offsets, as JSON with --json", async () => {
  const topic = randomName("listed");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, 5, 2));
  const dir = await Deno.makeTempDir();
  const job = await writeJob(backupJob([topic], dir));
  const json = await runScript("backup.ts", ["--list-topics", "--json", job]);
  expectExit(json, 0);
  const listed = JSON.parse(json.stdout).topics.find((t: { topic: string }) => t.topic === topic);
  assert.deepEqual(listed.partitions.map((p: { high: number }) => p.high), [3, 2]);
  const table = await runScript("backup.ts", ["--list-topics", job]);
  expectExit(table, 0);
  assert.match(table.stdout, new RegExp(`${topic}\\s+1\\s+0\\s+2\\s+2`));
});

Deno.test("open chunks of all partitions together stay under MAX_CHUNK_BYTES: the largest is stored early", async () => {
  const topic = randomName("memcap");
  await createTopic(kafkaBootstrap(), topic, { partitions: 6 });
  const dir = await Deno.makeTempDir();
  const job = await writeJob(backupJob([topic], dir, {
    RUN_MODE: "continuous",
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100_000,
    MAX_CHUNK_AGE_SECONDS: 3600,
    MAX_CHUNK_BYTES: 4096,
  }));
  const child = spawnScript("backup.ts", [job]);
  // 600 records of ~40 bytes: no partition alone reaches 4096 bytes (100 records each).
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, 600, 6));
  await sleep(5000);
  const before = await readArchive(dir, topic);
  const { code, stderr } = await terminate(child);
  assert.equal(code, 0, stderr);
  assert.ok(before.chunks > 0, "nothing was stored before the stop: the memory cap did not act");
  const archived = await readArchive(dir, topic);
  assert.equal(archived.records.length, 600);
  assert.deepEqual(duplicates(archived.records), []);
});

Deno.test("a once backup to a new, empty archive with a GROUP_ID already at the end still stores every record", async () => {
  const topic = randomName("new-archive");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(
    kafkaBootstrap(),
    topic,
    Array.from({ length: 300 }, (_, i) => ({
      partition: i % 2,
      key: bytes(`k${i}`),
      value: bytes(`v${i}`),
      headers: [],
    })),
  );
  const first = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], first))]), 0);
  // Same GROUP_ID, whose committed offsets are at the ends now: storage decides, not the group.
  const second = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], second))]), 0);
  assert.equal((await readArchive(second, topic)).records.length, 300);
});
