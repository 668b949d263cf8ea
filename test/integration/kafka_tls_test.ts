/** Kafka encryption: TLS to the broker, verified against the CA the job names. */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName, requireEnv } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { bytes } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob } from "../helpers/jobs.ts";
import { readArchive } from "../helpers/archive.ts";

Deno.test("backup connects over TLS, trusting the CA given in KAFKA_SSL_CA_FILE", async () => {
  const topic = randomName("tls");
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKafkajs(kafkaBootstrap(), topic, [{
    partition: 0,
    key: bytes("k"),
    value: bytes("v"),
    headers: [],
  }]);
  const dir = await Deno.makeTempDir();
  const job = backupJob([topic], dir, {
    BOOTSTRAP_SERVERS: requireEnv("KB_TEST_SSL_BOOTSTRAP"),
    KAFKA_SSL: true,
    KAFKA_SSL_CA_FILE: requireEnv("KB_TEST_SSL_CA_FILE"),
  });
  expectExit(await runScript("backup.ts", [await writeJob(job)]), 0);
  assert.equal((await readArchive(dir, topic)).records.length, 1);
});

Deno.test("a broker certificate from an unknown CA is refused (exit 3)", async () => {
  const dir = await Deno.makeTempDir();
  const job = backupJob(["any-topic"], dir, {
    BOOTSTRAP_SERVERS: requireEnv("KB_TEST_SSL_BOOTSTRAP"),
    KAFKA_SSL: true,
  });
  const result = await runScript("backup.ts", [await writeJob(job)]);
  expectExit(result, 3);
  assert.match(logMessages(result.stderr), /Cannot connect to Kafka/);
});
