/**
 * kill -9 during an encrypted backup and during the restore of it: the archive holds
 * every record exactly once (read back with the key), and the target ends up equal to
 * the source, nothing lost, nothing duplicated.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, killAfter, runScript, spawnScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { duplicates, readArchive } from "../helpers/archive.ts";

const KEY = crypto.getRandomValues(new Uint8Array(32));
const ENV = { KB_TEST_CRASH_KEY: Buffer.from(KEY).toString("base64") };

const batch = (start: number, n: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: (start + i) % 3,
    key: bytes(`key-${start + i}`),
    value: bytes(`value ${start + i} `.repeat(6)),
    headers: [["i", bytes(String(start + i))]],
  }));

/** Waits until the archive holds a chunk of `topic` (at most 60 s). */
async function waitForChunk(dir: string, topic: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await readArchive(dir, topic, { c1: KEY })).chunks === 0) {
    if (Date.now() > deadline) throw new Error(`no chunk of ${topic} was stored within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("kill -9 during an encrypted backup and during its restore loses and duplicates nothing", async () => {
  const topic = randomName("enc-crash");
  await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, 12_000));
  let written = 12_000;
  const dir = await Deno.makeTempDir();
  const backup = await writeJob(backupJob([topic], dir, {
    ENCRYPTION_KEY: "${KB_TEST_CRASH_KEY}",
    ENCRYPTION_KEY_ID: "c1",
    RUN_MODE: "continuous",
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 397,
    MAX_CHUNK_AGE_SECONDS: 0.5,
    NUMBER_OF_KAFKA_THREADS: 2,
  }));
  // A writer keeps producing while the backup is killed and restarted.
  let writing = true;
  const writer = (async () => {
    while (writing) {
      await produceWithKafkajs(kafkaBootstrap(), topic, batch(written, 150));
      written += 150;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  for (let kill = 0; kill < 3; kill++) {
    const child = spawnScript("backup.ts", [backup], ENV);
    if (kill === 0) await waitForChunk(dir, topic);
    await killAfter(child, 1000 + Math.random() * 2000);
  }
  writing = false;
  await writer;
  // The kills hit a backup in progress: chunks were stored, not all records yet.
  const stored = (await readArchive(dir, topic, { c1: KEY })).records.length;
  assert.ok(stored > 0 && stored < written, `after the kills the archive holds ${stored}`);
  expectExit(await runScript("backup.ts", ["--once", backup], ENV), 0);
  const archived = await readArchive(dir, topic, { c1: KEY });
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.equal(source.length, written);
  assert.deepEqual(duplicates(archived.records), []);
  assert.deepEqual(
    archived.records.map((r) => describeRecord(r, { offset: true })),
    source.map((r) => describeRecord(r, { offset: true })),
  );

  const target = randomName("enc-crash-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 3 });
  const restore = await writeJob(restoreJob(topic, target, dir, {
    DECRYPTION_KEYS: { c1: "${KB_TEST_CRASH_KEY}" },
    // Small transactions, and a pace that leaves room for the kills however fast the
    // restore is (at most 1,000 records a second: 3 kills at under 3 s stay short of 12,000).
    RECORDS_PER_TRANSACTION: 10,
    MAX_RECORDS_PER_SECOND: 1000,
    NUMBER_OF_KAFKA_THREADS: 2,
  }));
  for (let kill = 0; kill < 3; kill++) {
    await killAfter(spawnScript("restore.ts", [restore], ENV), 1500 + Math.random() * 1500);
  }
  const partial = (await readTopicWithKcat(kafkaBootstrap(), target)).length;
  assert.ok(partial > 0 && partial < written, `after the kills the target holds ${partial}`);
  expectExit(await runScript("restore.ts", [restore], ENV), 0);
  const restored = await readTopicWithKcat(kafkaBootstrap(), target);
  const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r, { timestamp: true }));
  assert.deepEqual(view(restored), view(source));
});
