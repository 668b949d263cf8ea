import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { jobFingerprint } from "../../lib/config/fingerprint.ts";
import { loadRestoreJob } from "../../lib/config/restore_job.ts";
import { writeJob } from "./config_helpers_test.ts";

const base = {
  BOOTSTRAP_SERVERS: "k:1",
  TOPIC_MAP: { orders: "orders-restored", payments: "payments" },
  FILESYSTEM_BACKUP_DIR: "/archive",
  RESTORE_PARTITION_STRATEGY: "same",
  START_OFFSET: 100,
  END_TIMESTAMP: "2024-05-01T00:00:00Z",
};

async function fingerprint(job: Record<string, unknown>): Promise<string> {
  return jobFingerprint(await loadRestoreJob(await writeJob(job, "restore.json")));
}

Deno.test("the fingerprint is the sha256 of a canonical JSON and does not change between versions", async () => {
  // Pinned: progress records are keyed by it, so a change here orphans every running restore.
  const canonical =
    '{"endOffset":null,"endTimestamp":1714521600000,"startOffset":100,"startTimestamp":null,' +
    '"storage":{"root":"/archive","type":"local"},"strategy":"same",' +
    '"topics":[{"source":"orders","target":"orders-restored"},{"source":"payments","target":"payments"}],' +
    '"version":1}';
  assert.equal(createHash("sha256").update(canonical).digest("hex"), await fingerprint(base));
  assert.equal(
    await fingerprint(base),
    "cd6866a40bcc729921a58818e29a99c7dc91b4f4afeeac3a224553ef6c9740a7",
  );
});

Deno.test("a cloud archive's fingerprint holds its bucket or container and prefix, and does not change between versions", async () => {
  // Pinned like the local one; endpoints, regions and staging directories are left out.
  const canonical = (storage: string) =>
    '{"endOffset":null,"endTimestamp":1714521600000,"startOffset":100,"startTimestamp":null,' +
    `"storage":${storage},"strategy":"same",` +
    '"topics":[{"source":"orders","target":"orders-restored"},{"source":"payments","target":"payments"}],' +
    '"version":1}';
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
  const s3 = await fingerprint({
    ...base,
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: "bucket-a",
    STORAGE_PREFIX: "kafka/prod",
    S3_ENDPOINT: "http://s3.example.com:9000",
    S3_REGION: "eu-west-1",
  });
  assert.equal(s3, sha256(canonical('{"bucket":"bucket-a","prefix":"kafka/prod","type":"s3"}')));
  assert.equal(s3, "a355b86693a23a645f351fdde7e46fb4cfbc7cce9a4de7ca541180b6a54b3d98");
  const azure = await fingerprint({
    ...base,
    FILESYSTEM_TYPE: "AZURE",
    CONTAINER_NAME: "container-a",
    STORAGE_PREFIX: "kafka/prod",
    AZURE_ACCOUNT_URL: "http://127.0.0.1:10000/devstoreaccount1",
  });
  assert.equal(
    azure,
    sha256(canonical('{"container":"container-a","prefix":"kafka/prod","type":"azure"}')),
  );
  assert.equal(azure, "0537cb23d2b57029a728ecedf8ddbbec7ee4781a605852a612dc444cbb5d4aae");
});

Deno.test("the fingerprint ignores how the same restore is written", async () => {
  const expected = await fingerprint(base);
  const reordered = {
    END_TIMESTAMP: Date.UTC(2024, 4, 1),
    FILESYSTEM_BACKUP_DIR: "/archive/",
    TOPIC_MAP: { payments: "payments", orders: "orders-restored" },
    START_OFFSET: "100",
    RESTORE_PARTITION_STRATEGY: "SAME",
    BOOTSTRAP_SERVERS: "other-broker:9092",
  };
  assert.equal(await fingerprint(reordered), expected);
});

Deno.test("processes splitting one restore by PARTITIONS or tuning it share the fingerprint", async () => {
  const expected = await fingerprint(base);
  const variants = [
    { PARTITIONS: [0, 1] },
    { PARTITIONS: [2] },
    { NUMBER_OF_KAFKA_THREADS: 4 },
    { LOG_LEVEL: "DEBUG" },
    { RUN_MODE: "once" },
    { RETRY_SECONDS: 5 },
    { RECORDS_PER_TRANSACTION: 10 },
    { PROGRESS_INTERVAL_SECONDS: 1 },
    { CREATE_TOPIC: true },
  ];
  for (const variant of variants) {
    assert.equal(await fingerprint({ ...base, ...variant }), expected, JSON.stringify(variant));
  }
});

Deno.test("the fingerprint changes with what is restored and where it comes from", async () => {
  const variants: Record<string, unknown>[] = [
    { TOPIC_MAP: { orders: "orders-restored" } },
    { TOPIC_MAP: { orders: "orders-2", payments: "payments" } },
    { RESTORE_PARTITION_STRATEGY: "random" },
    { START_OFFSET: 101 },
    { END_OFFSET: 500 },
    { START_TIMESTAMP: 0 },
    { END_TIMESTAMP: "2024-05-01T00:00:01Z" },
    { FILESYSTEM_BACKUP_DIR: "/archive2" },
    { FILESYSTEM_TYPE: "S3", BUCKET_NAME: "bucket-a" },
    { FILESYSTEM_TYPE: "S3", BUCKET_NAME: "bucket-a", STORAGE_PREFIX: "p" },
    { FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: "bucket-a" },
  ];
  const seen = new Set([await fingerprint(base)]);
  for (const variant of variants) {
    const print = await fingerprint({ ...base, ...variant });
    assert.ok(!seen.has(print), `${JSON.stringify(variant)} should change the fingerprint`);
    seen.add(print);
  }
});
