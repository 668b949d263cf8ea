/**
 * Kafka refusals on a broker with an authorizer (KRaft's StandardAuthorizer, SASL users):
 * a topic the backup user may not read, a group it may not join, a target topic the
 * restore user may not write, a transactional id it may not use. Each is exit 3 naming
 * what was refused and the permission it takes, and nothing is archived or restored. (A
 * topic the user may not DESCRIBE is hidden from it by Kafka: it looks missing.)
 */
import assert from "node:assert/strict";
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
} from "kafkajs";
import { kafkaBootstrap, randomName, requireEnv } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs, testKafka } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { taggedRecords } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { readArchive } from "../helpers/archive.ts";

const sasl = () => ({
  BOOTSTRAP_SERVERS: requireEnv("KB_TEST_SASL_BOOTSTRAP"),
  KAFKA_SASL_MECHANISM: "PLAIN",
  KAFKA_SASL_USERNAME: requireEnv("KB_TEST_SASL_USER"),
  KAFKA_SASL_PASSWORD: "${KB_SASL_PASSWORD}",
});
const env = () => ({ KB_SASL_PASSWORD: requireEnv("KB_TEST_SASL_PASSWORD") });

/** Denies the SASL user `operation` on a resource (through the super-user PLAINTEXT listener). */
async function deny(
  resourceType: AclResourceTypes,
  resourceName: string,
  operation: AclOperationTypes,
  patternType = ResourcePatternTypes.LITERAL,
): Promise<void> {
  const admin = testKafka(kafkaBootstrap()).admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: [{
        resourceType,
        resourceName,
        resourcePatternType: patternType,
        principal: `User:${requireEnv("KB_TEST_SASL_USER")}`,
        host: "*",
        operation,
        permissionType: AclPermissionTypes.DENY,
      }],
    });
  } finally {
    await admin.disconnect();
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // the broker applies it
}

async function topicWithRecords(prefix: string): Promise<string> {
  const topic = randomName(prefix);
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKafkajs(kafkaBootstrap(), topic, taggedRecords("r", 20));
  return topic;
}

/** A once backup of `topic` into `dir`, connecting as the SASL user. */
async function backupAsSaslUser(topic: string, dir: string) {
  return await runScript("backup.ts", [await writeJob(backupJob([topic], dir, sasl()))], env());
}

Deno.test("a topic the backup user may not read: exit 3 naming the topic, nothing archived", async () => {
  const topic = await topicWithRecords("acl-read");
  await deny(AclResourceTypes.TOPIC, topic, AclOperationTypes.READ);
  const dir = await Deno.makeTempDir();
  const result = await backupAsSaslUser(topic, dir);
  expectExit(result, 3);
  assert.match(
    logMessages(result.stderr),
    new RegExp(`${topic}.*user "backup" may not see it.*DESCRIBE and READ`),
  );
  assert.equal((await readArchive(dir, topic)).records.length, 0);
});

Deno.test("a group the backup user may not join: exit 3 naming the group", async () => {
  const topic = await topicWithRecords("acl-group");
  const group = `${topic}-backup`;
  await deny(AclResourceTypes.GROUP, group, AclOperationTypes.READ);
  const dir = await Deno.makeTempDir();
  const result = await backupAsSaslUser(topic, dir);
  expectExit(result, 3);
  assert.match(
    logMessages(result.stderr),
    new RegExp(`consumer group "${group}".*user "backup" needs READ`),
  );
});

/** A backup made over PLAINTEXT (a super user), to restore as the SASL user. */
async function archived(prefix: string): Promise<{ topic: string; dir: string }> {
  const topic = await topicWithRecords(prefix);
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  return { topic, dir };
}

Deno.test("a target topic the restore user may not write: exit 3 naming the topic, nothing restored", async () => {
  const { topic, dir } = await archived("acl-write");
  const target = randomName("acl-write-target");
  await createTopic(kafkaBootstrap(), target);
  await deny(AclResourceTypes.TOPIC, target, AclOperationTypes.WRITE);
  const result = await runScript("restore.ts", [
    await writeJob(restoreJob(topic, target, dir, sasl())),
  ], env());
  expectExit(result, 3);
  assert.match(
    logMessages(result.stderr),
    new RegExp(`${target}.*user "backup" may not see it.*DESCRIBE and WRITE`),
  );
  assert.equal((await readTopicWithKcat(kafkaBootstrap(), target)).length, 0);
});

Deno.test("a restore user without the transactional-id permission: exit 3 naming it", async () => {
  const { topic, dir } = await archived("acl-txn");
  const target = randomName("acl-txn-target");
  await createTopic(kafkaBootstrap(), target);
  await deny(
    AclResourceTypes.TRANSACTIONAL_ID,
    "kafka-backup-restore",
    AclOperationTypes.WRITE,
    ResourcePatternTypes.PREFIXED,
  );
  try {
    const result = await runScript("restore.ts", [
      await writeJob(restoreJob(topic, target, dir, sasl())),
    ], env());
    expectExit(result, 3);
    // Named in the final error, at once: the refusal is not retried as a missing coordinator.
    const errors = result.stderr.split("\n").filter((line) => line.includes('"level":"ERROR"'));
    assert.match(
      logMessages(errors.join("\n")),
      /refused transactional id "kafka-backup-restore\.[^"]+".*DESCRIBE and WRITE/,
    );
    assert.doesNotMatch(logMessages(result.stderr), /continuing from its checkpoint/);
    assert.equal((await readTopicWithKcat(kafkaBootstrap(), target)).length, 0);
  } finally {
    const admin = testKafka(kafkaBootstrap()).admin();
    await admin.connect();
    await admin.deleteAcls({
      filters: [{
        resourceType: AclResourceTypes.TRANSACTIONAL_ID,
        resourceName: "kafka-backup-restore",
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal: `User:${requireEnv("KB_TEST_SASL_USER")}`,
        host: "*",
        operation: AclOperationTypes.WRITE,
        permissionType: AclPermissionTypes.DENY,
      }],
    });
    await admin.disconnect();
  }
});
