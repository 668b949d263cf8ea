/** A damaged archive or an unsafe target stops the restore before a bad record is produced. */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, type TestRecord } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";

const dataset = (n: number): TestRecord[] =>
  Array.from(
    { length: n },
    (_, i) => ({ partition: i % 2, key: bytes(`k${i}`), value: bytes(`v${i}`), headers: [] }),
  );

async function backup(): Promise<{ topic: string; dir: string; chunks: string[] }> {
  const topic = randomName("damaged");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset(400));
  const dir = await Deno.makeTempDir();
  const job = backupJob([topic], dir, { NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 50 });
  expectExit(await runScript("backup.ts", [await writeJob(job)]), 0);
  const chunks: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${topic}/0`)) {
    if (e.name.endsWith(".chunk")) chunks.push(e.name);
  }
  chunks.sort();
  return { topic, dir, chunks: chunks.map((c) => `${dir}/${topic}/0/${c}`) };
}

async function restoreInto(topic: string, dir: string, extra: Record<string, unknown> = {}) {
  const target = randomName("damaged-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 2 });
  const result = await runScript("restore.ts", [
    await writeJob(restoreJob(topic, target, dir, extra)),
  ]);
  return { result, target };
}

/** Records in a topic as kcat reads them (end offsets would also count transaction markers). */
const totalRecords = async (topic: string) =>
  (await readTopicWithKcat(kafkaBootstrap(), topic)).length;

Deno.test("a flipped byte in a chunk stops the restore with exit 5 and the chunk named", async () => {
  const { topic, dir, chunks } = await backup();
  const bad = chunks[1];
  const data = await Deno.readFile(bad);
  data[data.length - 3] ^= 0x01;
  await Deno.writeFile(bad, data);
  const { result, target } = await restoreInto(topic, dir, { PARTITIONS: [0] });
  expectExit(result, 5);
  assert.match(logMessages(result.stderr), /sha256 mismatch/);
  assert.ok(logMessages(result.stderr).includes(bad.split("/").pop()!), logMessages(result.stderr));
  // Only the first chunk (50 records before the bad one) may have been produced.
  assert.ok(await totalRecords(target) <= 50);
});

Deno.test("a deleted chunk is a hole: exit 5 before anything is produced", async () => {
  const { topic, dir, chunks } = await backup();
  await Deno.remove(chunks[2]);
  await Deno.remove(chunks[2] + ".sha256");
  await Deno.remove(chunks[2] + ".json");
  const { result, target } = await restoreInto(topic, dir);
  expectExit(result, 5);
  assert.match(logMessages(result.stderr), /Hole in .*\/0: offsets 100\.\.149/);
  assert.equal(await totalRecords(target), 0);
});

Deno.test("a deleted sidecar stops the restore with exit 5 naming it", async () => {
  const { topic, dir, chunks } = await backup();
  await Deno.remove(chunks[0] + ".sha256");
  const { result, target } = await restoreInto(topic, dir, { PARTITIONS: [0] });
  expectExit(result, 5);
  assert.ok(
    logMessages(result.stderr).includes(chunks[0].split("/").pop()! + ".sha256"),
    logMessages(result.stderr),
  );
  assert.equal(await totalRecords(target), 0);
});

Deno.test("strategy same refuses a target with fewer partitions (exit 6)", async () => {
  const { topic, dir } = await backup();
  const target = randomName("narrow");
  await createTopic(kafkaBootstrap(), target, { partitions: 1 });
  const result = await runScript("restore.ts", [await writeJob(restoreJob(topic, target, dir))]);
  expectExit(result, 6);
  assert.match(logMessages(result.stderr), /has 1 partitions but the backup has 2/);
  assert.equal(await totalRecords(target), 0);
});

Deno.test("a non-empty target is refused (exit 6) unless the job allows it", async () => {
  const { topic, dir } = await backup();
  const target = randomName("busy");
  await createTopic(kafkaBootstrap(), target, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), target, dataset(3));
  const job = restoreJob(topic, target, dir);
  const refused = await runScript("restore.ts", [await writeJob(job)]);
  expectExit(refused, 6);
  assert.match(logMessages(refused.stderr), /already holds records/);
  assert.equal(await totalRecords(target), 3);
  const allowed = await runScript("restore.ts", [
    await writeJob({ ...job, ALLOW_NON_EMPTY_TARGET: true }),
  ]);
  expectExit(allowed, 0);
  assert.equal(await totalRecords(target), 403);
});

Deno.test("a missing target topic is a Kafka error (exit 3) naming it", async () => {
  const { topic, dir } = await backup();
  const result = await runScript("restore.ts", [
    await writeJob(restoreJob(topic, "no-such-topic-here", dir)),
  ]);
  expectExit(result, 3);
  assert.match(logMessages(result.stderr), /"no-such-topic-here" does not exist/);
});
