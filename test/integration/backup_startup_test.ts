/**
 * A backup's start on a real broker: the consumers of one process join the group
 * together, so no partition is read by one and then again by another (bytes read equal
 * the topic's payload); a once run of empty topics starts no consumer at all.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { bytes } from "../helpers/records.ts";
import {
  expectExit,
  logMessages,
  runScript,
  spawnScript,
  terminate,
  writeJob,
} from "../helpers/cli.ts";
import { partitionEnd } from "../../lib/archive/store.ts";
import { backupJob } from "../helpers/jobs.ts";
import { listRestorationPoints } from "../../lib/archive/restoration_point.ts";
import { LocalBackend } from "../../lib/storage/local.ts";

Deno.test("the two consumers of a continuous backup join together: no partition moves, every record is read once", async () => {
  const topic = randomName("startup");
  await createTopic(kafkaBootstrap(), topic, { partitions: 6 });
  const value = bytes("v".repeat(1000));
  const records = Array.from({ length: 30_000 }, (_, i) => ({
    partition: i % 6,
    key: bytes(`key-${String(i).padStart(8, "0")}`),
    value,
    headers: [],
  }));
  await produceWithKafkajs(kafkaBootstrap(), topic, records);
  const payload = records.reduce((n, r) => n + r.key.length + r.value.length, 0);
  const dir = await Deno.makeTempDir();
  const job = backupJob([topic], dir, {
    NUMBER_OF_KAFKA_THREADS: 2,
    LOG_LEVEL: "DEBUG",
    RUN_MODE: "continuous",
  });
  // Continuous: the consumers are still there when a late one joins (a once run of a small
  // topic may be over by then).
  const child = spawnScript("backup.ts", ["--json", await writeJob(job)]);
  const backend = new LocalBackend(dir);
  for (let i = 0; i < 100; i++) {
    const ends = await Promise.all([0, 1, 2, 3, 4, 5].map((p) => partitionEnd(backend, topic, p)));
    if (ends.every((end) => end === 5000)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2000)); // a late join would have come by now
  const result = await terminate(child);
  expectExit(result, 0);
  const summary = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
  assert.equal(summary.records, 30_000);
  // A partition read by one consumer, then moved to the other, is read twice.
  assert.equal(summary.bytesConsumed, payload);
  // Every partition was given to one consumer only, over every generation of the group.
  const owners = new Map<string, Set<string>>();
  for (const line of result.stderr.split("\n").filter((l) => l.includes("assigned partitions"))) {
    const { thread, message } = JSON.parse(line);
    for (const tp of message.split(": ")[1].split(",").filter(Boolean)) {
      owners.set(tp, (owners.get(tp) ?? new Set()).add(thread));
    }
  }
  assert.equal(owners.size, 6);
  for (const [tp, threads] of owners) assert.equal(threads.size, 1, `${tp} moved: ${[...threads]}`);
});

Deno.test("a once backup of empty topics starts no consumer and still ends with a restoration point", async () => {
  const topic = randomName("startup-empty");
  await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
  const dir = await Deno.makeTempDir();
  const job = backupJob([topic], dir, { NUMBER_OF_KAFKA_THREADS: 2 });
  const result = await runScript("backup.ts", ["--json", await writeJob(job)]);
  expectExit(result, 0);
  assert.doesNotMatch(logMessages(result.stderr), /started polling/);
  assert.equal(result.stderr.includes('"level":"WARNING"'), false);
  const summary = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
  console.log(
    `empty-topic once run: ${summary.durationSeconds.toFixed(2)} s (the tool's own duration)`,
  );
  assert.equal((await listRestorationPoints(new LocalBackend(dir))).length, 1);
});
