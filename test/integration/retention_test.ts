/**
 * Retention on real brokers and a real archive: by time with a restore running at the
 * same time, by bytes with a dry run first, and kill -9 in the middle of a prune.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, kafkaBootstrap2, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { describeRecord, keyOf, taggedRecords, type TestRecord } from "../helpers/records.ts";
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
import { LocalBackend } from "../../lib/storage/local.ts";
import { readPartitionIndex } from "../../lib/archive/store.ts";

const DAY = 86_400_000;

const records = (tag: string, n: number, at: number): TestRecord[] =>
  taggedRecords(tag, n, { timestamp: at });

async function backedUp(tagCounts: Array<[string, number, number]>, perChunk: number) {
  const topic = randomName("retention");
  await createTopic(kafkaBootstrap(), topic);
  for (const [tag, n, at] of tagCounts) {
    await produceWithKafkajs(kafkaBootstrap(), topic, records(tag, n, at));
  }
  const dir = await Deno.makeTempDir();
  const job = backupJob([topic], dir, { NUMBER_OF_MESSAGE_PER_BACKUP_FILE: perChunk });
  expectExit(await runScript("backup.ts", [await writeJob(job)]), 0);
  return { topic, dir, job };
}

Deno.test("RETENTION_MS prunes old chunks under a running restore, which carries on from the new start", async () => {
  const { topic, dir, job } = await backedUp([
    ["old", 1000, Date.now() - 3 * DAY],
    ["new", 200, Date.now()],
  ], 50);
  const target = randomName("retention-target");
  const restore = spawnScript("restore.ts", [
    await writeJob(restoreJob(topic, target, dir, {
      BOOTSTRAP_SERVERS: kafkaBootstrap2(),
      CREATE_TOPIC: true,
      MAX_RECORDS_PER_SECOND: 100,
    })),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 2500)); // the restore is in the old records
  const pruneJob = await writeJob({ ...job, RETENTION_MS: DAY });
  const pruned = await runScript("backup.ts", ["--prune", "--json", pruneJob]);
  expectExit(pruned, 0);
  const report = JSON.parse(pruned.stdout);
  assert.deepEqual(
    report.partitions.map((p: Record<string, number>) => [p.chunks, p.records, p.start]),
    [[20, 1000, 1000]],
  );
  const restored = await finish(restore);
  expectExit(restored, 0);
  const written = await readTopicWithKcat(kafkaBootstrap2(), target);
  const keys = written.map(keyOf);
  assert.equal(new Set(keys).size, keys.length, "no record restored twice");
  const old = keys.filter((k) => k.startsWith("old-"));
  assert.ok(old.length < 1000, `the prune came while old records were restored (${old.length})`);
  assert.deepEqual(old, records("old", old.length, 0).map(keyOf), "a prefix of the old records");
  assert.deepEqual(keys.slice(old.length), records("new", 200, 0).map(keyOf), "every new record");
  assert.match(logMessages(restored.stderr), /was pruned by retention while this restore ran/);
  // What is left is a sound archive that starts where the prune left it.
  const restoreJobFile = await writeJob(restoreJob(topic, target, dir));
  expectExit(await runScript("restore.ts", ["--verify", restoreJobFile]), 0);
  const left = await readArchive(dir, topic);
  assert.deepEqual(left.records.map(keyOf), records("new", 200, 0).map(keyOf));
  // A second prune has nothing left to do.
  const again = await runScript("backup.ts", ["--prune", pruneJob]);
  expectExit(again, 0);
  assert.match(again.stdout, /retention removed nothing/);
});

Deno.test("RETENTION_BYTES: --dry-run says what goes and removes nothing, then the prune removes exactly that", async () => {
  const { topic, dir, job } = await backedUp([["r", 300, Date.now()]], 30);
  const index = await readPartitionIndex(new LocalBackend(dir), topic, 0);
  assert.equal(index.entries.length, 10);
  const lastFour = index.entries.slice(-4).reduce((n, e) => n + e.bytes, 0);
  const pruneJob = await writeJob({ ...job, RETENTION_BYTES: lastFour });
  const dry = await runScript("backup.ts", ["--prune", "--dry-run", pruneJob]);
  expectExit(dry, 0);
  assert.match(dry.stdout, /would remove 6 chunk\(s\), 180 records/);
  assert.equal((await readArchive(dir, topic)).records.length, 300, "a dry run removes nothing");
  const real = await runScript("backup.ts", ["--prune", pruneJob]);
  expectExit(real, 0);
  assert.match(real.stdout, /removed 6 chunk\(s\), 180 records/);
  const left = await readArchive(dir, topic);
  assert.deepEqual(left.records.map(keyOf), records("r", 300, 0).slice(180).map(keyOf));
  // A once backup with the same retention keeps the archive within it as it grows.
  await produceWithKafkajs(kafkaBootstrap(), topic, records("more", 120, Date.now()));
  expectExit(await runScript("backup.ts", [pruneJob]), 0);
  const grown = await readPartitionIndex(new LocalBackend(dir), topic, 0);
  const total = grown.entries.reduce((n, e) => n + e.bytes, 0);
  assert.ok(total >= lastFour, `the archive keeps at least RETENTION_BYTES (${total})`);
  assert.ok(grown.entries.length <= 5, `old chunks went (${grown.entries.length} left)`);
  assert.equal(grown.entries.at(-1)!.to, 419, "the newest chunk stays");
});

/** Chunk index entries in a partition directory. */
function indexCount(dir: string, topic: string): number {
  return [...Deno.readDirSync(`${dir}/${topic}/0`)].filter((e) => e.name.endsWith(".json")).length;
}

/** Starts a prune and kills it -9 as soon as it has removed its first index entry. */
async function killMidPrune(jobFile: string, dir: string, topic: string): Promise<boolean> {
  const before = indexCount(dir, topic);
  const child = spawnScript("backup.ts", ["--prune", jobFile]);
  let ended = false;
  child.status.then(() => (ended = true));
  while (!ended && indexCount(dir, topic) === before) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  child.kill("SIGKILL");
  const result = await finish(child);
  return result.code !== 0; // false: the prune finished before the kill
}

Deno.test("kill -9 during a prune, a prune again, then a restore: nothing that should stay is lost", async () => {
  const { topic, dir, job } = await backedUp([
    ["old", 2000, Date.now() - 3 * DAY],
    ["new", 300, Date.now()],
  ], 10);
  const jobFile = await writeJob({ ...job, RETENTION_MS: DAY });
  const restoreFile = await writeJob(restoreJob(topic, topic, dir));
  let killed = 0;
  for (let i = 0; i < 3; i++) {
    if (!(await killMidPrune(jobFile, dir, topic))) break;
    killed++;
    // Whatever the kill left, the archive is sound and holds every record it should.
    expectExit(await runScript("restore.ts", ["--verify", restoreFile]), 0);
    const keys = (await readArchive(dir, topic)).records.map(keyOf);
    assert.deepEqual(keys.slice(-300), records("new", 300, 0).map(keyOf));
    assert.equal(new Set(keys).size, keys.length);
  }
  assert.ok(killed > 0, "at least one prune was killed before it finished");
  expectExit(await runScript("backup.ts", ["--prune", jobFile]), 0);
  const index = await readPartitionIndex(new LocalBackend(dir), topic, 0);
  assert.equal(index.start, 2000);
  assert.deepEqual(index.pruned, [], "the last prune removed what the killed ones left");
  const target = randomName("retention-killed");
  const restored = await runScript("restore.ts", [
    await writeJob(restoreJob(topic, target, dir, {
      BOOTSTRAP_SERVERS: kafkaBootstrap2(),
      CREATE_TOPIC: true,
    })),
  ]);
  expectExit(restored, 0);
  const written = await readTopicWithKcat(kafkaBootstrap2(), target);
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.deepEqual(
    written.map((r) => describeRecord(r, { timestamp: true })),
    source.slice(2000).map((r) => describeRecord(r, { timestamp: true })),
  );
});

Deno.test("a continuous backup applies retention every RETENTION_CHECK_SECONDS while it runs", async () => {
  const topic = randomName("retention-continuous");
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKafkajs(kafkaBootstrap(), topic, records("old", 300, Date.now() - 3 * DAY));
  const dir = await Deno.makeTempDir();
  const job = backupJob([topic], dir, {
    RUN_MODE: "continuous",
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 50,
    MAX_CHUNK_AGE_SECONDS: 0.5,
    RETENTION_MS: DAY,
    RETENTION_CHECK_SECONDS: 1,
  });
  const backup = spawnScript("backup.ts", [await writeJob(job)]);
  const index = () => readPartitionIndex(new LocalBackend(dir), topic, 0);
  const waitFor = async (what: string, done: () => Promise<boolean>) => {
    for (let i = 0; i < 300 && !(await done()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(await done(), what);
  };
  await waitFor(
    "the old records are backed up",
    async () => (await index()).entries.at(-1)?.to === 299,
  );
  await produceWithKafkajs(kafkaBootstrap(), topic, records("new", 100, Date.now()));
  await waitFor(
    "the old chunks are pruned while the backup runs",
    async () => (await index()).start === 300,
  );
  backup.kill("SIGTERM");
  const stopped = await finish(backup);
  expectExit(stopped, 0);
  // One prune or several (the newest old chunk goes only once a newer one is stored).
  const prunedRecords = [
    ...logMessages(stopped.stderr).matchAll(/pruned \S+: \d+ chunk\(s\), (\d+) records/g),
  ]
    .reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(prunedRecords, 300);
  assert.deepEqual(
    (await readArchive(dir, topic)).records.map(keyOf),
    records("new", 100, 0).map(keyOf),
  );
});
