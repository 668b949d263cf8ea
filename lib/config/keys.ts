/** The keys each kind of job file accepts, and the check for unknown ones. */
import { STORAGE_KIND_KEYS } from "../storage/registry.ts";
import { suggest } from "./did_you_mean.ts";
import type { Issues } from "./issues.ts";
import type { KeyCheck } from "./job_fields.ts";
import { OPERATIONS_KEYS, RESTORE_OPERATIONS_KEYS } from "./operations_config.ts";

/** Connection and security settings for Kafka, in both job files. */
export const KAFKA_KEYS = [
  "BOOTSTRAP_SERVERS",
  "KAFKA_SSL",
  "KAFKA_SSL_CA_FILE",
  "KAFKA_SSL_CERT_FILE",
  "KAFKA_SSL_KEY_FILE",
  "KAFKA_SSL_REJECT_UNAUTHORIZED",
  "KAFKA_SASL_MECHANISM",
  "KAFKA_SASL_USERNAME",
  "KAFKA_SASL_PASSWORD",
] as const;

/** Where the archive lives, in both job files; each kind of storage lists its own keys. */
export const STORAGE_KEYS: readonly string[] = [
  "FILESYSTEM_TYPE",
  "FILESYSTEM_BACKUP_DIR",
  ...STORAGE_KIND_KEYS,
];

const COMMON_KEYS = [
  ...KAFKA_KEYS,
  ...STORAGE_KEYS,
  "NUMBER_OF_KAFKA_THREADS",
  "LOG_LEVEL",
  "RUN_MODE",
  "PROGRESS_INTERVAL_SECONDS",
  ...OPERATIONS_KEYS,
] as const;

/** Every key of a backup job file. */
export const BACKUP_KEYS: readonly string[] = [
  ...COMMON_KEYS,
  "TOPIC_NAMES",
  "TOPIC_INCLUDE_REGEX",
  "TOPIC_EXCLUDE_REGEX",
  "GROUP_ID",
  "NUMBER_OF_MESSAGE_PER_BACKUP_FILE",
  "MAX_CHUNK_BYTES",
  "MAX_CHUNK_AGE_SECONDS",
  "RETRY_UPLOAD_SECONDS",
  "COMPRESSION",
  "COMPRESSION_LEVEL",
  "STAGING_MAX_BYTES",
  "UPLOAD_CONCURRENCY",
  "CONSUMER_GROUPS",
  "CONSUMER_GROUPS_EXCLUDE_REGEX",
  "GROUP_SNAPSHOT_INTERVAL_SECONDS",
  "RESTORATION_POINT_INTERVAL_SECONDS",
];

/** Every key of a restore job file. */
export const RESTORE_KEYS: readonly string[] = [
  ...COMMON_KEYS,
  "BACKUP_TOPIC_NAME",
  "RESTORE_TOPIC_NAME",
  "TOPIC_MAP",
  "RETRY_SECONDS",
  "RETRY_DOWNLOAD_SECONDS",
  "RESTORE_PARTITION_STRATEGY",
  "PARTITIONS",
  "START_OFFSET",
  "END_OFFSET",
  "START_TIMESTAMP",
  "END_TIMESTAMP",
  "CREATE_TOPIC",
  "ALLOW_NON_EMPTY_TARGET",
  "RECORDS_PER_TRANSACTION",
  "BYTES_PER_TRANSACTION",
  "OFFSET_MAP_TOPIC",
  "BUFFER_MAX_BYTES",
  "RESTORATION_POINT",
  "RESTORE_CONSUMER_GROUPS",
  "CONSUMER_GROUP_MAP",
  "TOPIC_CONFIG_OVERRIDES",
  ...RESTORE_OPERATIONS_KEYS,
];

/** The two kinds of job file. */
export type JobKind = "backup" | "restore";

const KEYS_OF: Record<JobKind, readonly string[]> = { backup: BACKUP_KEYS, restore: RESTORE_KEYS };

/**
 * Records an error for every key of `raw` that a `kind` job does not know, with a
 * suggestion when one is close. Returns the known keys that are present.
 */
export function checkKeys(raw: Record<string, unknown>, kind: JobKind, issues: Issues): string[] {
  const allowed = KEYS_OF[kind];
  const other: JobKind = kind === "backup" ? "restore" : "backup";
  const known: string[] = [];
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) {
      known.push(key);
      continue;
    }
    const at = issues.at("$").child(key);
    // A key of the other kind of job is a different mistake than a typo: say so.
    if (KEYS_OF[other].includes(key)) {
      at.fail(`unknown key in a ${kind} job (${key} is only used in ${other} job files)`);
      continue;
    }
    const guess = suggest(key, allowed);
    at.fail(guess === undefined ? "unknown key" : `unknown key (did you mean "${guess}"?)`);
  }
  return known;
}

/** The check of a `kind` job's keys, for JobFields. */
export function keyCheck(kind: JobKind): KeyCheck {
  return (raw, issues) => checkKeys(raw, kind, issues);
}
