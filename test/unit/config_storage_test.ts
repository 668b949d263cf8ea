import assert from "node:assert/strict";
import { loadBackupJob } from "../../lib/config/backup_job.ts";
import { loadRestoreJob } from "../../lib/config/restore_job.ts";
import { failure, writeJob } from "./config_helpers_test.ts";

const minimal = {
  BOOTSTRAP_SERVERS: "localhost:9092",
  TOPIC_NAMES: ["orders"],
  GROUP_ID: "backup-group",
  FILESYSTEM_BACKUP_DIR: "/backups/",
};

async function backupFailure(job: Record<string, unknown>): Promise<string[]> {
  const path = await writeJob(job);
  return (await failure(path, () => loadBackupJob(path))).lines;
}

Deno.test("the Python tool's MinIO keys give an S3 storage with an http endpoint and path-style addressing", async () => {
  const job = await loadBackupJob(
    await writeJob({
      ...minimal,
      FILESYSTEM_TYPE: "S3",
      MINIO_URL: "localhost:9000",
      IS_MINIO_SECURE: "False",
      BUCKET_NAME: "kafka-backup",
    }),
  );
  assert.deepEqual(job.storage, {
    type: "s3",
    bucket: "kafka-backup",
    prefix: "",
    endpoint: "http://localhost:9000",
    forcePathStyle: true,
    timeoutMs: 60000,
    stagingDir: "/backups",
  });
});

Deno.test("S3 settings are normalised: endpoint URL, region, storage class and prefix", async () => {
  const job = await loadBackupJob(
    await writeJob({
      ...minimal,
      FILESYSTEM_TYPE: "s3",
      BUCKET_NAME: "b-1",
      S3_ENDPOINT: "https://s3.example.com:9000/",
      S3_REGION: "eu-west-1",
      S3_FORCE_PATH_STYLE: false,
      S3_STORAGE_CLASS: "standard_ia",
      STORAGE_PREFIX: "kafka/prod/",
      UPLOAD_CONCURRENCY: 8,
    }),
  );
  assert.deepEqual(job.storage, {
    type: "s3",
    bucket: "b-1",
    prefix: "kafka/prod",
    endpoint: "https://s3.example.com:9000",
    region: "eu-west-1",
    forcePathStyle: false,
    storageClass: "STANDARD_IA",
    timeoutMs: 60000,
    stagingDir: "/backups",
  });
  assert.equal(job.uploadConcurrency, 8);
});

Deno.test("an Azure job needs a container and yields an azure storage", async () => {
  const job = await loadBackupJob(
    await writeJob({
      ...minimal,
      FILESYSTEM_TYPE: "AZURE",
      CONTAINER_NAME: "kafka-backup",
      AZURE_ACCOUNT_URL: "http://127.0.0.1:10000/devstoreaccount1",
    }),
  );
  assert.deepEqual(job.storage, {
    type: "azure",
    container: "kafka-backup",
    prefix: "",
    accountUrl: "http://127.0.0.1:10000/devstoreaccount1",
    timeoutMs: 60000,
    stagingDir: "/backups",
  });
  assert.deepEqual(
    await backupFailure({ ...minimal, FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: "Bad_Name" }),
    [
      '$.CONTAINER_NAME: expected a container name (3-63 lowercase letters, digits and single "-", starting ' +
      'and ending with a letter or digit), got "Bad_Name"',
    ],
  );
});

Deno.test("cloud keys for another storage type are reported instead of silently ignored", async () => {
  assert.deepEqual(
    await backupFailure({
      ...minimal,
      BUCKET_NAME: "b-1",
      STORAGE_PREFIX: "p",
      UPLOAD_CONCURRENCY: 2,
    }),
    [
      '$.BUCKET_NAME: only used when FILESYSTEM_TYPE is "S3" (it is "LINUX")',
      '$.STORAGE_PREFIX: only used when FILESYSTEM_TYPE is "S3" or "AZURE" (it is "LINUX")',
      '$.UPLOAD_CONCURRENCY: only used when FILESYSTEM_TYPE is "S3" or "AZURE" (it is "LINUX")',
    ],
  );
  assert.deepEqual(
    await backupFailure({
      ...minimal,
      FILESYSTEM_TYPE: "AZURE",
      CONTAINER_NAME: "c-1",
      S3_REGION: "x",
    }),
    ['$.S3_REGION: only used when FILESYSTEM_TYPE is "S3" (it is "AZURE")'],
  );
});

Deno.test("a storage prefix may not escape with .. or start with /", async () => {
  const s3 = { ...minimal, FILESYSTEM_TYPE: "S3", BUCKET_NAME: "b-1" };
  assert.deepEqual(await backupFailure({ ...s3, STORAGE_PREFIX: "a/../b" }), [
    '$.STORAGE_PREFIX: must not contain "..", "." or empty segments, got "a/../b"',
  ]);
  assert.deepEqual(await backupFailure({ ...s3, STORAGE_PREFIX: "/abs" }), [
    '$.STORAGE_PREFIX: must not start with "/", got "/abs"',
  ]);
});

Deno.test("MINIO_URL and S3_ENDPOINT exclude each other and URLs must be http(s)", async () => {
  const s3 = { ...minimal, FILESYSTEM_TYPE: "S3", BUCKET_NAME: "b-1" };
  assert.deepEqual(await backupFailure({ ...s3, MINIO_URL: "m:9000", S3_ENDPOINT: "http://s:1" }), [
    "$.S3_ENDPOINT: give either MINIO_URL or S3_ENDPOINT, not both",
  ]);
  assert.deepEqual(await backupFailure({ ...s3, S3_ENDPOINT: "ftp://s" }), [
    '$.S3_ENDPOINT: expected an http:// or https:// URL, got "ftp://s"',
  ]);
});

Deno.test("TLS settings produce kafka.ssl with file paths, verifying servers by default", async () => {
  const job = await loadBackupJob(
    await writeJob({ ...minimal, KAFKA_SSL: true, KAFKA_SSL_CA_FILE: "/etc/kafka/ca.pem" }),
  );
  assert.deepEqual(job.kafka, {
    brokers: ["localhost:9092"],
    ssl: { caFile: "/etc/kafka/ca.pem", rejectUnauthorized: true },
  });
});

Deno.test("TLS file keys without KAFKA_SSL, or a certificate without its key, are errors", async () => {
  assert.deepEqual(await backupFailure({ ...minimal, KAFKA_SSL_CA_FILE: "/ca.pem" }), [
    "$.KAFKA_SSL_CA_FILE: only used when KAFKA_SSL is true",
  ]);
  assert.deepEqual(
    await backupFailure({ ...minimal, KAFKA_SSL: "yes", KAFKA_SSL_CERT_FILE: "/c.pem" }),
    [
      '$.KAFKA_SSL: expected true or false, got "yes"',
      "$.KAFKA_SSL_CERT_FILE: only used when KAFKA_SSL is true",
    ],
  );
  assert.deepEqual(
    await backupFailure({ ...minimal, KAFKA_SSL: true, KAFKA_SSL_CERT_FILE: "/c.pem" }),
    [
      "$.KAFKA_SSL_KEY_FILE: missing: a client certificate needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE",
    ],
  );
});

Deno.test("cloud and security keys are accepted in restore jobs too", async () => {
  const job = await loadRestoreJob(
    await writeJob({
      BOOTSTRAP_SERVERS: "k:1",
      BACKUP_TOPIC_NAME: "orders",
      FILESYSTEM_TYPE: "AZURE",
      CONTAINER_NAME: "backups",
      STORAGE_PREFIX: "prod",
      FILESYSTEM_BACKUP_DIR: "/var/tmp/restore",
      KAFKA_SSL: true,
      KAFKA_SSL_REJECT_UNAUTHORIZED: false,
    }),
  );
  assert.deepEqual(job.storage, {
    type: "azure",
    container: "backups",
    prefix: "prod",
    timeoutMs: 60000,
    stagingDir: "/var/tmp/restore",
  });
  assert.deepEqual(job.kafka.ssl, { rejectUnauthorized: false });
  assert.equal(job.archiveRoot, undefined);
});
