/**
 * MAX_BYTES_PER_SECOND and MAX_RECORDS_PER_SECOND: a run never goes faster than its limit
 * (a slow machine can only make it slower, never make this fail). The limiters start with
 * one second's worth, so a run of N units at R per second takes at least N / R - 1 s.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { bytes } from "../helpers/records.ts";
import { expectExit, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";

const RECORDS = 1000;
const VALUE = bytes("v".repeat(990));

Deno.test("a backup and a restore with rate limits take at least as long as their limits say", async () => {
  const topic = randomName("rate");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  const records = Array.from({ length: RECORDS }, (_, i) => ({
    partition: i % 2,
    key: bytes(`key-${String(i).padStart(6, "0")}`),
    value: VALUE,
    headers: [],
  }));
  await produceWithKafkajs(kafkaBootstrap(), topic, records);
  const payload = records.reduce((n, r) => n + r.key.length + r.value.length, 0);

  const dir = await Deno.makeTempDir();
  const bytesPerSecond = 250_000;
  const backup = backupJob([topic], dir, {
    NUMBER_OF_KAFKA_THREADS: 2,
    MAX_BYTES_PER_SECOND: bytesPerSecond,
  });
  const backedUp = await runScript("backup.ts", ["--json", await writeJob(backup)]);
  expectExit(backedUp, 0);
  const backupSeconds = JSON.parse(backedUp.stdout.trim().split("\n").at(-1)!).durationSeconds;
  console.log(`backup: ${payload} bytes at ${bytesPerSecond}/s in ${backupSeconds.toFixed(1)} s`);
  assert.ok(backupSeconds >= payload / bytesPerSecond - 1, `${backupSeconds} s`);

  const target = randomName("rate-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 2 });
  const recordsPerSecond = 250;
  const restore = restoreJob(topic, target, dir, {
    NUMBER_OF_KAFKA_THREADS: 2,
    MAX_RECORDS_PER_SECOND: recordsPerSecond,
    RECORDS_PER_TRANSACTION: 100,
  });
  const restored = await runScript("restore.ts", ["--json", await writeJob(restore)]);
  expectExit(restored, 0);
  const summary = JSON.parse(restored.stdout.trim().split("\n").at(-1)!);
  assert.equal(summary.records, RECORDS);
  console.log(
    `restore: ${RECORDS} records at ${recordsPerSecond}/s in ${
      summary.durationSeconds.toFixed(1)
    } s`,
  );
  assert.ok(
    summary.durationSeconds >= RECORDS / recordsPerSecond - 1,
    `${summary.durationSeconds} s`,
  );
});
