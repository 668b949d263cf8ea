/** Retention against the real S3-compatible server and Azurite: a once run prunes what it may. */
import { createBucket } from "../helpers/s3.ts";
import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { azureConnectionString, kafkaBootstrap, randomName, s3Endpoint } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { keyOf, taggedRecords, type TestRecord } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";

const DAY = 86_400_000;

const records = (tag: string, n: number, at: number): TestRecord[] =>
  taggedRecords(tag, n, { timestamp: at });

async function prunedByOnceRun(storage: Record<string, unknown>, env?: Record<string, string>) {
  const topic = randomName("retention-cloud");
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKafkajs(kafkaBootstrap(), topic, records("old", 150, Date.now() - 3 * DAY));
  await produceWithKafkajs(kafkaBootstrap(), topic, records("new", 150, Date.now()));
  const staging = await Deno.makeTempDir();
  const backup = backupJob([topic], staging, {
    ...storage,
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 30,
    RETENTION_MS: DAY,
  });
  const run = await runScript("backup.ts", [await writeJob(backup)], env);
  expectExit(run, 0);
  assert.match(logMessages(run.stderr), /pruned \S+\/0: 5 chunk\(s\), 150 records/);
  const target = randomName("retention-cloud-target");
  const restore = await writeJob(restoreJob(topic, target, staging, {
    ...storage,
    CREATE_TOPIC: true,
  }));
  const list = await runScript("restore.ts", ["--list", "--json", restore], env);
  expectExit(list, 0);
  const [row] = JSON.parse(list.stdout).partitions;
  assert.deepEqual([row.chunks, row.records, row.firstOffset], [5, 150, 150]);
  expectExit(await runScript("restore.ts", ["--verify", restore], env), 0);
  expectExit(await runScript("restore.ts", [restore], env), 0);
  const written = await readTopicWithKcat(kafkaBootstrap(), target);
  assert.deepEqual(written.map(keyOf), records("new", 150, 0).map(keyOf));
}

Deno.test("a once backup to S3 with RETENTION_MS prunes the expired chunks; the rest verifies and restores", async () => {
  const bucket = await createBucket();
  await prunedByOnceRun({
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: bucket,
    MINIO_URL: new URL(s3Endpoint()).host,
    IS_MINIO_SECURE: false,
  });
});

Deno.test("a once backup to Azure Blob with RETENTION_MS prunes the expired chunks; the rest verifies and restores", async () => {
  const container = randomName("container");
  await BlobServiceClient.fromConnectionString(azureConnectionString()).getContainerClient(
    container,
  ).create();
  await prunedByOnceRun(
    { FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: container, STORAGE_PREFIX: "nightly" },
    { AZURE_STORAGE_CONNECTION_STRING: azureConnectionString() },
  );
});
