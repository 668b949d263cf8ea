/** A backup and restore round trip through an authenticated connection, for the auth tests. */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "./env.ts";
import { createTopic, produceWithKafkajs } from "./kafka.ts";
import { bytes, describeRecord, type TestRecord } from "./records.ts";
import { type CliResult, expectExit, runScript, writeJob } from "./cli.ts";
import { backupJob, restoreJob } from "./jobs.ts";
import { readArchive } from "./archive.ts";
import { readTopicWithKcat } from "./kcat.ts";

const records = (prefix: string): TestRecord[] =>
  Array.from({ length: 5 }, (_, i) => ({
    partition: 0,
    key: bytes(`${prefix}-k${i}`),
    value: bytes(`${prefix}-v${i}`),
    headers: [["h", bytes(String(i))]],
  }));

/**
 * Fills a topic over the plain listener, backs it up and restores it with `connection`
 * (BOOTSTRAP_SERVERS and the KAFKA_SSL_* / KAFKA_SASL_* keys), then checks the archive and
 * the restored topic hold the records. Returns both runs, for checks of their output.
 */
export async function authRoundTrip(
  prefix: string,
  connection: Record<string, unknown>,
  env?: Record<string, string>,
): Promise<CliResult[]> {
  const topic = randomName(prefix);
  await createTopic(kafkaBootstrap(), topic);
  const sent = records(prefix);
  await produceWithKafkajs(kafkaBootstrap(), topic, sent);
  const dir = await Deno.makeTempDir();
  const backup = await runScript("backup.ts", [
    await writeJob(backupJob([topic], dir, connection)),
  ], env);
  expectExit(backup, 0);
  assert.equal((await readArchive(dir, topic)).records.length, sent.length);
  const target = randomName(`${prefix}-target`);
  const job = restoreJob(topic, target, dir, { ...connection, CREATE_TOPIC: true });
  const restore = await runScript("restore.ts", [await writeJob(job)], env);
  expectExit(restore, 0);
  const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r));
  assert.deepEqual(view(await readTopicWithKcat(kafkaBootstrap(), target)), view(sent));
  return [backup, restore];
}
