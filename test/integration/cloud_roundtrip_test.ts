/** Backup into and restore from the S3-compatible server and Azurite. */
import { createBucket } from "../helpers/s3.ts";
import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { azureConnectionString, kafkaBootstrap, randomName, s3Endpoint } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import {
  expectExit,
  logMessages,
  runScript,
  spawnScript,
  terminate,
  writeJob,
} from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";

const dataset = (n: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: i % 2,
    key: i % 5 === 0 ? null : bytes(`k${i}`),
    value: bytes(`value ${i}`),
    headers: [["a", bytes("1")], ["b", null], ["a", bytes(String(i))]],
  }));

// Target offsets differ from the source's (each transaction adds a commit marker): compare
// partition, order, key, value, headers and timestamp.
const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r, { timestamp: true }));

async function roundTrip(storage: Record<string, unknown>, env?: Record<string, string>) {
  const topic = randomName("cloud");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset(500));
  const staging = await Deno.makeTempDir();
  const backup = backupJob([topic], staging, {
    ...storage,
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100,
  });
  expectExit(await runScript("backup.ts", [await writeJob(backup)], env), 0);
  const target = randomName("cloud-target");
  const restore = restoreJob(topic, target, staging, { ...storage, CREATE_TOPIC: true });
  const list = await runScript("restore.ts", ["--list", "--json", await writeJob(restore)], env);
  expectExit(list, 0);
  const inventory = JSON.parse(list.stdout);
  assert.equal(
    inventory.partitions.reduce((n: number, p: { records: number }) => n + p.records, 0),
    500,
  );
  expectExit(await runScript("restore.ts", [await writeJob(restore)], env), 0);
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.equal(source.length, 500);
  assert.deepEqual(view(await readTopicWithKcat(kafkaBootstrap(), target)), view(source));
}

Deno.test("backup to S3 and restore from it reproduce the topic", async () => {
  const bucket = await createBucket();
  const url = new URL(s3Endpoint());
  // The Python tool's keys: MINIO_URL and IS_MINIO_SECURE.
  await roundTrip({
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: bucket,
    MINIO_URL: url.host,
    IS_MINIO_SECURE: false,
  });
});

Deno.test("backup to Azure Blob and restore from it reproduce the topic", async () => {
  const container = randomName("container");
  await BlobServiceClient.fromConnectionString(azureConnectionString()).getContainerClient(
    container,
  ).create();
  await roundTrip(
    { FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: container, STORAGE_PREFIX: "nightly" },
    { AZURE_STORAGE_CONNECTION_STRING: azureConnectionString() },
  );
});

Deno.test("a missing bucket fails fast with exit 4 naming it", async () => {
  const topic = randomName("cloud");
  await createTopic(kafkaBootstrap(), topic);
  const staging = await Deno.makeTempDir();
  const url = new URL(s3Endpoint());
  const job = backupJob([topic], staging, {
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: "no-such-bucket-here",
    MINIO_URL: url.host,
    IS_MINIO_SECURE: false,
  });
  const result = await runScript("backup.ts", [await writeJob(job)]);
  expectExit(result, 4);
  assert.match(logMessages(result.stderr), /no-such-bucket-here/);
});

Deno.test("a second cloud backup staging into the same directory is refused with exit 6; the first goes on", async () => {
  const topic = randomName("cloud-lock");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset(200));
  const bucket = await createBucket();
  const staging = await Deno.makeTempDir();
  const s3Keys = {
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: bucket,
    MINIO_URL: new URL(s3Endpoint()).host,
    IS_MINIO_SECURE: false,
  };
  const job = (runMode: string) =>
    writeJob(
      backupJob([topic], staging, { ...s3Keys, RUN_MODE: runMode, MAX_CHUNK_AGE_SECONDS: 1 }),
    );
  const first = spawnScript("backup.ts", [await job("continuous")]);
  try {
    // The first one holds the lock once it has started its consumers.
    for (let i = 0; i < 100; i++) {
      const lock = await Deno.readTextFile(`${staging}/.kafka-backup.lock`).catch(() => "");
      if (lock.trim() === String(first.pid)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // In once mode, so that without the lock it would end by itself (exit 0), not hang.
    const second = await runScript("backup.ts", [await job("once")]);
    expectExit(second, 6);
    assert.match(logMessages(second.stderr), new RegExp(`${staging}.*pid ${first.pid}`));
    // The first backup goes on undisturbed and stores everything.
    const restore = await writeJob(restoreJob(topic, randomName("lock-target"), staging, s3Keys));
    let stored = 0;
    for (let i = 0; i < 60 && stored < 200; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const list = await runScript("restore.ts", ["--list", "--json", restore]);
      const rows: Array<{ records: number }> = list.code === 0
        ? JSON.parse(list.stdout).partitions
        : [];
      stored = rows.reduce((n, p) => n + p.records, 0);
    }
    assert.equal(stored, 200);
  } finally {
    const stopped = await terminate(first);
    expectExit(stopped, 0);
  }
});
