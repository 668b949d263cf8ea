/**
 * A restore's transactions in a healthy cluster: CONCURRENT_TRANSACTIONS (the coordinator
 * still completing the previous commit) is retried after a short delay of the tool's own,
 * never through kafkajs's general retry (250 ms and more, logged as an error), and a
 * clean run prints no WARNING.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, endOffsets, produceWithKafkajs } from "../helpers/kafka.ts";
import { bytes, type TestRecord } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";

const RECORDS = 6_000;

const dataset = (): TestRecord[] =>
  Array.from({ length: RECORDS }, (_, i) => ({
    partition: i % 3,
    key: bytes(`k${i}`),
    value: bytes(`value ${i}`),
    headers: [],
  }));

Deno.test("a restore of many small transactions retries CONCURRENT_TRANSACTIONS quickly and prints no WARNING", async () => {
  const topic = randomName("txn");
  await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset());
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);

  const target = randomName("txn-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 3 });
  // 10 records per transaction: 600 commits, each followed at once by the next transaction.
  const job = restoreJob(topic, target, dir, { RECORDS_PER_TRANSACTION: 10, LOG_LEVEL: "DEBUG" });
  const result = await runScript("restore.ts", [await writeJob(job)]);
  expectExit(result, 0);
  const lines = result.stderr.split("\n");
  assert.deepEqual(lines.filter((l) => l.includes('"level":"WARNING"')), []);
  const log = logMessages(result.stderr);
  // kafkajs's own retry of a send logs "Failed to send messages" and waits 250 ms or more.
  assert.doesNotMatch(log, /Failed to send messages/);
  const waits = [...log.matchAll(/CONCURRENT_TRANSACTIONS, retrying in (\d+) ms/g)].map((m) =>
    Number(m[1])
  );
  console.log(
    `${waits.length} CONCURRENT_TRANSACTIONS retries, ${waits.reduce((a, b) => a + b, 0)} ms`,
  );
  assert.ok(waits.every((ms) => ms <= 50), `a retry waited longer than 50 ms: ${waits}`);
  const restored = (await endOffsets(kafkaBootstrap(), target)).reduce((a, b) => a + b, 0);
  // Every transaction adds a commit marker to each partition it wrote.
  assert.ok(restored >= RECORDS, `the target holds ${restored} offsets`);
});
