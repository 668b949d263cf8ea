/** Kafka authentication: SASL/PLAIN with the password taken from the environment. */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName, requireEnv } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { bytes } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { readArchive } from "../helpers/archive.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";

const sasl = () => ({
  BOOTSTRAP_SERVERS: requireEnv("KB_TEST_SASL_BOOTSTRAP"),
  KAFKA_SASL_MECHANISM: "PLAIN",
  KAFKA_SASL_USERNAME: requireEnv("KB_TEST_SASL_USER"),
  KAFKA_SASL_PASSWORD: "${KB_SASL_PASSWORD}",
});

Deno.test("backup and restore authenticate with SASL/PLAIN, the password from the environment", async () => {
  const topic = randomName("sasl");
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKafkajs(kafkaBootstrap(), topic, [{
    partition: 0,
    key: bytes("k"),
    value: bytes("v"),
    headers: [],
  }]);
  const dir = await Deno.makeTempDir();
  const env = { KB_SASL_PASSWORD: requireEnv("KB_TEST_SASL_PASSWORD") };
  const backup = await runScript(
    "backup.ts",
    [await writeJob(backupJob([topic], dir, sasl()))],
    env,
  );
  expectExit(backup, 0);
  assert.equal((await readArchive(dir, topic)).records.length, 1);
  assert.equal(backup.stderr.includes(env.KB_SASL_PASSWORD), false);
  const target = randomName("sasl-target");
  const restore = restoreJob(topic, target, dir, { ...sasl(), CREATE_TOPIC: true });
  expectExit(await runScript("restore.ts", [await writeJob(restore)], env), 0);
  assert.equal((await readTopicWithKcat(kafkaBootstrap(), target)).length, 1);
});

Deno.test("a wrong SASL password is a Kafka error (exit 3) that does not print the password", async () => {
  const dir = await Deno.makeTempDir();
  const job = backupJob(["any-topic"], dir, sasl());
  const result = await runScript("backup.ts", [await writeJob(job)], {
    KB_SASL_PASSWORD: "wrong-secret-123",
  });
  expectExit(result, 3);
  assert.match(logMessages(result.stderr), /Cannot connect to Kafka/);
  assert.equal(result.stderr.includes("wrong-secret-123"), false);
});
