/**
 * kill -9 at random moments during a backup, restart each time: every record ends up in
 * the archive exactly once.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, runScript, spawnScript, writeJob } from "../helpers/cli.ts";
import { backupJob } from "../helpers/jobs.ts";
import { duplicates, readArchive } from "../helpers/archive.ts";

const batch = (start: number, n: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: (start + i) % 3,
    key: bytes(`key-${start + i}`),
    value: bytes(`value ${start + i} `.repeat(10)),
    headers: [],
  }));

/** Waits until the archive holds a chunk of `topic` (at most 60 s). */
async function waitForChunk(dir: string, topic: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await readArchive(dir, topic)).chunks === 0) {
    if (Date.now() > deadline) throw new Error(`no chunk of ${topic} was stored within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("five kill -9 during a backup lose and duplicate nothing", async () => {
  const topic = randomName("crash");
  await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
  const dir = await Deno.makeTempDir();
  const job = await writeJob(backupJob([topic], dir, {
    RUN_MODE: "continuous",
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 97,
    MAX_CHUNK_AGE_SECONDS: 0.5,
    NUMBER_OF_KAFKA_THREADS: 2,
  }));

  // A writer keeps producing while the backup is killed and restarted.
  let written = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      await produceWithKafkajs(kafkaBootstrap(), topic, batch(written, 150));
      written += 150;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  for (let kill = 0; kill < 5; kill++) {
    const child = spawnScript("backup.ts", [job]);
    // The first run is killed only once it has stored a chunk (a cold start of the
    // runtime can take seconds); the later ones may not even get their partitions back
    // before the kill, as the killed members' sessions expire only after 10 s.
    if (kill === 0) await waitForChunk(dir, topic);
    await new Promise((r) => setTimeout(r, 1500 + Math.random() * 3000));
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    await child.stdout.cancel();
    await child.stderr.cancel();
  }
  writing = false;
  await writer;
  // The kills hit a backup in progress: chunks were stored, not all records yet.
  const partial = (await readArchive(dir, topic)).records.length;
  assert.ok(
    partial > 0 && partial < written,
    `after the kills the archive holds ${partial} of ${written}`,
  );

  // A final once-run completes the archive.
  expectExit(await runScript("backup.ts", ["--once", job]), 0);
  const archived = await readArchive(dir, topic);
  const inKafka = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.equal(inKafka.length, written);
  assert.deepEqual(duplicates(archived.records), []);
  assert.equal(archived.records.length, written);
  assert.deepEqual(
    archived.records.map((r) => describeRecord(r, { offset: true })),
    inKafka.map((r) => describeRecord(r, { offset: true })),
  );
});
