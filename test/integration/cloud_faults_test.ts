/**
 * Object stores that throttle and fail, on the real S3 server and Azurite: a fault proxy
 * in front of each fails a share of the requests (503 SlowDown, 500, a download cut
 * half-way), and Azurite itself is restarted
 * under a running backup and a running restore. Retries carry every run through; nothing
 * is lost or duplicated.
 */
import { createBucket } from "../helpers/s3.ts";
import assert from "node:assert/strict";
import { azureConnectionString, kafkaBootstrap, randomName, s3Endpoint } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import {
  expectExit,
  finish,
  runScript,
  runScriptWithin,
  spawnScript,
  writeJob,
} from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import {
  type Fault,
  HttpFaultProxy,
  QUICK_FAULTS,
  UPLOAD_FAULTS,
} from "../helpers/http_fault_proxy.ts";
import { azureVia, azuriteUrl, createContainer, restartAzurite } from "../helpers/azurite.ts";

const dataset = (tag: string, n: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: i % 2,
    key: bytes(`${tag}-${i}`),
    value: bytes(`${tag} value ${i} `.repeat(10)),
    headers: [["i", bytes(String(i))]],
  }));

/** A backup or restore here still running after this long is hung (a stall never noticed). */
const HUNG_MS = 120_000;

const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r, { timestamp: true }));

/** The faults a proxy injects, and job keys added to both the backup and the restore. */
interface FaultRun {
  faults: readonly Fault[];
  keys?: Record<string, unknown>;
}

/** A topic, backed up and restored through `storage(url)` of a fault proxy failing 30% of requests. */
async function throughFaults(
  realUrl: string,
  storage: (url: string) => Record<string, unknown>,
  env: (url: string) => Record<string, string> = () => ({}),
  run: FaultRun = { faults: QUICK_FAULTS },
) {
  const topic = randomName("faults");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset("r", 2000));
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  const staging = await Deno.makeTempDir();
  const { faults } = run;
  const backupProxy = HttpFaultProxy.start(realUrl, 0.3, { seed: 7, faults });
  const restoreProxy = HttpFaultProxy.start(realUrl, 0.3, { seed: 11, faults });
  const target = randomName("faults-target");
  try {
    const backup = backupJob([topic], staging, {
      ...storage(backupProxy.url),
      ...run.keys,
      NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100,
    });
    const backupEnv = env(backupProxy.url);
    expectExit(await runScriptWithin(HUNG_MS, "backup.ts", [await writeJob(backup)], backupEnv), 0);
    const restore = restoreJob(topic, target, staging, {
      ...storage(restoreProxy.url),
      ...run.keys,
      CREATE_TOPIC: true,
    });
    const restoreEnv = env(restoreProxy.url);
    expectExit(
      await runScriptWithin(HUNG_MS, "restore.ts", [await writeJob(restore)], restoreEnv),
      0,
    );
  } finally {
    await backupProxy.stop();
    await restoreProxy.stop();
  }
  for (const fault of faults) {
    const n = backupProxy.counts[fault] + restoreProxy.counts[fault];
    assert.ok(n > 0, `the proxies injected ${fault} (${JSON.stringify(backupProxy.counts)})`);
  }
  console.log(
    `faults: backup ${JSON.stringify(backupProxy.counts)}, restore ${
      JSON.stringify(restoreProxy.counts)
    }`,
  );
  assert.deepEqual(view(await readTopicWithKcat(kafkaBootstrap(), target)), view(source));
}

/** A backup and a restore through a fault proxy in front of the S3 server. */
async function throughS3Faults(run?: FaultRun) {
  const bucket = await createBucket();
  await throughFaults(
    s3Endpoint(),
    (url) => ({
      FILESYSTEM_TYPE: "S3",
      BUCKET_NAME: bucket,
      S3_ENDPOINT: url,
    }),
    undefined,
    run,
  );
}

/** A backup and a restore through a fault proxy in front of Azurite. */
async function throughAzureFaults(run?: FaultRun) {
  const container = await createContainer();
  await throughFaults(
    azuriteUrl(),
    () => ({ FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: container }),
    (url) => ({ AZURE_STORAGE_CONNECTION_STRING: azureVia(url) }),
    run,
  );
}

Deno.test("a backup and a restore through S3 failing 30% of its requests lose and duplicate nothing", () =>
  throughS3Faults());

Deno.test("a backup and a restore through Azure Blob failing 30% of its requests lose and duplicate nothing", () =>
  throughAzureFaults());

// Uploads the server received but never answered properly (no answer at all, or a
// response cut off before its body): each is abandoned after STORAGE_TIMEOUT_SECONDS and
// retried. Without our own clocks the first one hangs the run: neither SDK's timeout
// notices it under Deno.
const STALLS: FaultRun = { faults: UPLOAD_FAULTS, keys: { STORAGE_TIMEOUT_SECONDS: 2 } };

Deno.test("S3 uploads that stall or whose answer is cut off are abandoned after STORAGE_TIMEOUT_SECONDS and retried", () =>
  throughS3Faults(STALLS));

Deno.test("Azure uploads that stall or whose answer is cut off are abandoned after STORAGE_TIMEOUT_SECONDS and retried", () =>
  throughAzureFaults(STALLS));

/** Azurite killed and started again on the same data, down for 3 s. */
const restartAzuriteFor3s = () => restartAzurite(3000);

/** Records archived so far, by `restore.ts --list`. */
async function archivedCount(listJob: string, env: Record<string, string>): Promise<number> {
  const list = await runScript("restore.ts", ["--list", "--json", listJob], env);
  if (list.code !== 0) return 0;
  const rows: Array<{ records: number }> = JSON.parse(list.stdout).partitions;
  return rows.reduce((n, p) => n + p.records, 0);
}

Deno.test("Azurite restarted under a running backup and under a running restore: both finish exactly", async () => {
  const topic = randomName("azurite-restart");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset("a", 1000));
  const container = await createContainer();
  const storage = { FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: container };
  const env = { AZURE_STORAGE_CONNECTION_STRING: azureConnectionString() };
  const staging = await Deno.makeTempDir();
  const backup = spawnScript("backup.ts", [
    await writeJob(backupJob([topic], staging, {
      ...storage,
      RUN_MODE: "continuous",
      NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100,
      MAX_CHUNK_AGE_SECONDS: 0.5,
    })),
  ], env);
  const listJob = await writeJob(restoreJob(topic, topic, staging, storage));
  for (let i = 0; i < 60 && await archivedCount(listJob, env) < 1000; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // Azurite saves its blob index every 5 s: a kill sooner after a write would make it
  // forget blobs it had acknowledged, a loss of the server's that no client can prevent.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  await restartAzuriteFor3s();
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset("b", 1000));
  await new Promise((resolve) => setTimeout(resolve, 5000));
  try {
    backup.kill("SIGTERM");
  } catch {
    // It ended by itself: its exit code and output say why, below.
  }
  expectExit(await finish(backup), 0);
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.equal(source.length, 2000);
  assert.equal(await archivedCount(listJob, env), 2000, "the backup archived every record");
  await new Promise((resolve) => setTimeout(resolve, 6000)); // Azurite's index is saved

  const target = randomName("azurite-restart-target");
  const restore = spawnScript("restore.ts", [
    await writeJob(restoreJob(topic, target, staging, {
      ...storage,
      CREATE_TOPIC: true,
      MAX_RECORDS_PER_SECOND: 400,
      RECORDS_PER_TRANSACTION: 50,
    })),
  ], env);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await restartAzuriteFor3s();
  expectExit(await finish(restore), 0);
  assert.deepEqual(view(await readTopicWithKcat(kafkaBootstrap(), target)), view(source));
});
