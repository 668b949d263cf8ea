/**
 * Small valid job files to vary one key at a time, for the tests that hold the key table
 * and the JSON Schemas against the parsers.
 */
import { parseBackupJob } from "../../lib/config/backup_job.ts";
import { JobFileError } from "../../lib/config/issues.ts";
import type { JobKind } from "../../lib/config/key_doc.ts";
import { KEY_DOCS, keyFacts } from "../../lib/config/key_docs.ts";
import { parseRestoreJob } from "../../lib/config/restore_job.ts";
import { FILESYSTEM_TYPES, type FilesystemType, storageKind } from "../../lib/storage/registry.ts";

export type Job = Record<string, unknown>;

export const KINDS: readonly JobKind[] = ["backup", "restore"];

/** The smallest valid job of each kind: its required keys and one topic. */
export const MINIMAL: Record<JobKind, Job> = {
  backup: {
    BOOTSTRAP_SERVERS: "kafka-1:9092",
    TOPIC_NAMES: ["orders"],
    GROUP_ID: "backup",
    FILESYSTEM_BACKUP_DIR: "/archive",
  },
  restore: {
    BOOTSTRAP_SERVERS: "kafka-1:9092",
    BACKUP_TOPIC_NAME: "orders",
    FILESYSTEM_BACKUP_DIR: "/archive",
  },
};

/** A valid value of each key that another key requires, excludes or needs. */
export const SAMPLE: Record<string, unknown> = {
  KAFKA_SSL: true,
  KAFKA_SSL_CA_FILE: "/tls/ca.pem",
  KAFKA_SSL_CERT_FILE: "/tls/client.pem",
  KAFKA_SSL_KEY_FILE: "/tls/client.key",
  KAFKA_SSL_REJECT_UNAUTHORIZED: false,
  KAFKA_SASL_MECHANISM: "PLAIN",
  KAFKA_SASL_USERNAME: "backup",
  KAFKA_SASL_PASSWORD: "${KAFKA_PASSWORD}",
  BUCKET_NAME: "archive-bucket",
  CONTAINER_NAME: "archive-container",
  MINIO_URL: "localhost:9000",
  IS_MINIO_SECURE: false,
  S3_ENDPOINT: "http://localhost:9000",
  TOPIC_NAMES: ["orders"],
  TOPIC_INCLUDE_REGEX: "orders.*",
  STAGING_MAX_BYTES: 134217728,
  UPLOAD_CONCURRENCY: 2,
  BACKUP_TOPIC_NAME: "orders",
  RESTORE_TOPIC_NAME: "orders-copy",
  TOPIC_MAP: { orders: "orders-copy" },
  RESTORE_CONSUMER_GROUPS: "*",
  CONSUMER_GROUP_MAP: { billing: "billing-copy" },
  ENCRYPTION_KEY: "${ARCHIVE_KEY}",
  ENCRYPTION_KEY_ID: "2025-06",
  DECRYPTION_KEYS: { "2025-06": "${ARCHIVE_KEY}" },
};

/** What the samples' `${VAR}`s stand for; any other variable is unset. */
export const ENV: Record<string, string> = {
  KAFKA_PASSWORD: "secret",
  NUMBER: "2",
  // 32 bytes in base64, as ENCRYPTION_KEY and DECRYPTION_KEYS take them.
  ARCHIVE_KEY: "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",
};

/** `job` with storage of `type` and the keys that storage requires. */
export function withStorage(job: Job, type: FilesystemType): Job {
  const storage = storageKind(type);
  const required = storage.keys.filter((key) => storage.docs[key].required);
  return {
    ...job,
    FILESYSTEM_TYPE: type,
    ...Object.fromEntries(required.map((key) => [key, SAMPLE[key]])),
  };
}

/** The keys `key` requires, and the keys they require, but not `key` itself. */
function requiredWith(key: string, kind: JobKind): string[] {
  const found = new Set([key]);
  for (const next of found) {
    for (const other of keyFacts(next, kind).requires ?? []) found.add(other);
  }
  found.delete(key);
  return [...found];
}

/** A valid `kind` job (without `key`) in which `key` may be set. */
export function jobFor(kind: JobKind, key: string): Job {
  let job = { ...MINIMAL[kind] };
  const type = FILESYSTEM_TYPES.find((t) => storageKind(t).keys.includes(key)) ??
    (KEY_DOCS[key].remoteOnly ? "S3" : undefined);
  if (type !== undefined) job = withStorage(job, type);
  for (const other of requiredWith(key, kind)) job[other] = SAMPLE[other];
  for (const other of keyFacts(key, kind).excludes ?? []) delete job[other];
  delete job[key];
  return job;
}

/** A parsed job (without its file name) or the parser's problems as "$.PATH: message". */
export function parse(kind: JobKind, raw: Job): { job?: object; problems: string[] } {
  const parser = kind === "backup" ? parseBackupJob : parseRestoreJob;
  try {
    const { file: _, ...job } = parser("job.json", raw, {}, (name) => ENV[name]);
    return { job, problems: [] };
  } catch (error) {
    if (!(error instanceof JobFileError)) throw error;
    return { problems: error.issues.map((i) => `${i.path}: ${i.message}`) };
  }
}
