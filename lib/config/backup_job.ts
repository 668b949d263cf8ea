/** The backup job file (backup.json): its keys, defaults and the typed result. */
import { type OperationsConfig, readOperations } from "./operations_config.ts";
import { BACKUP_RUN_MODES, type BackupRunMode, type Compression, COMPRESSIONS } from "./choices.ts";
import { type EnvLookup, processEnv } from "./env_expand.ts";
import { JobFields } from "./job_fields.ts";
import { keyCheck } from "./keys.ts";
import { remoteOnlyKeys } from "./key_docs.ts";
import { type KafkaConfig, readKafka } from "./kafka_config.ts";
import { type GroupSelection, groupSelection, topicName, topicPattern } from "./kafka_values.ts";
import { readOverride } from "./overrides.ts";
import { parseJobText, readJobFile } from "./read_job_file.ts";
import type { StorageConfig } from "../storage/registry.ts";
import { checkStorageKeys, readFilesystemType, readStorage } from "./storage_config.ts";
import { type EncryptionKey, readEncryption } from "./encryption_config.ts";
import { readRetention, type RetentionConfig } from "./retention_config.ts";
import { logLevel } from "./time_values.ts";
import {
  arrayOf,
  definedOnly,
  directory,
  nonEmptyString,
  oneOf,
  positiveNumber,
  wholeNumber,
} from "./values.ts";

export { BACKUP_RUN_MODES, COMPRESSIONS };
export type { BackupRunMode, Compression };
/** The highest COMPRESSION_LEVEL of each codec. */
const LEVEL_MAX = { zstd: 19, gzip: 9 } as const;

/** Settings from the command line that replace the file's (validated the same way). */
export interface BackupOverrides {
  runMode?: string;
  logLevel?: string | number;
}

/** A validated backup job. Plain data (RegExps included), so it can be posted to Workers. */
export interface BackupJob {
  /** The job file's path as given, for messages. */
  file: string;
  kafka: KafkaConfig;
  storage: StorageConfig;
  /** TOPIC_NAMES, without duplicates; may be empty when topicIncludeRegex is set. */
  topicNames: string[];
  /** Whole-name match (anchored). */
  topicIncludeRegex?: RegExp;
  topicExcludeRegex?: RegExp;
  groupId: string;
  /** NUMBER_OF_MESSAGE_PER_BACKUP_FILE: records per chunk before it is closed. */
  messagesPerChunk: number;
  maxChunkBytes: number;
  maxChunkAgeSeconds: number;
  retryUploadSeconds: number;
  /** NUMBER_OF_KAFKA_THREADS: consumer Workers. */
  threads: number;
  /** Python logging number: 10, 20, 30 or 40. */
  logLevel: number;
  compression: Compression;
  /** COMPRESSION_LEVEL; absent: the codec's default (zstd 1, gzip 6). */
  compressionLevel?: number;
  /**
   * ENCRYPTION_KEY_ID and the 32 bytes of ENCRYPTION_KEY: encrypt what is archived.
   * Absent: archive in the clear. A secret: never log or write it.
   */
  encryption?: EncryptionKey;
  runMode: BackupRunMode;
  progressIntervalSeconds: number;
  /** S3/AZURE: most bytes of closed chunks waiting for upload in the staging directory. */
  stagingMaxBytes: number;
  /** S3/AZURE: uploads in flight. */
  uploadConcurrency: number;
  /** CONSUMER_GROUPS: whose committed offsets on the backed-up topics are snapshotted. */
  consumerGroups: GroupSelection;
  /** CONSUMER_GROUPS_EXCLUDE_REGEX: whole-name match. */
  consumerGroupsExclude?: RegExp;
  groupSnapshotIntervalSeconds: number;
  restorationPointIntervalSeconds: number;
  /** Continuous mode: how often the topic keys are matched against the cluster again. */
  topicRefreshSeconds: number;
  /** Metrics and the rate limit (operations_config.ts). */
  operations: OperationsConfig;
  /** RETENTION_MS, RETENTION_BYTES, RETENTION_CHECK_SECONDS (retention_config.ts). */
  retention: RetentionConfig;
}

const MIN_CHUNK_BYTES = 1024;

/**
 * Validates the top-level object of a backup job file named `file`. Throws a
 * JobFileError listing every problem; `env` resolves `${VAR}` references.
 */
export function parseBackupJob(
  file: string,
  raw: Record<string, unknown>,
  overrides: BackupOverrides = {},
  env: EnvLookup = processEnv,
): BackupJob {
  const fields = new JobFields(file, raw, keyCheck("backup"), env);
  const kafka = readKafka(fields);
  const topicNames = fields.optional("TOPIC_NAMES", arrayOf(topicName, "topic names"));
  const topicIncludeRegex = fields.optional("TOPIC_INCLUDE_REGEX", topicPattern);
  const topicExcludeRegex = fields.optional("TOPIC_EXCLUDE_REGEX", topicPattern);
  const noTopics = !fields.has("TOPIC_NAMES") ||
    (topicNames !== undefined && topicNames.length === 0);
  if (noTopics && !fields.has("TOPIC_INCLUDE_REGEX")) {
    fields.at("TOPIC_NAMES").fail("no topic to back up: give TOPIC_NAMES or TOPIC_INCLUDE_REGEX");
  }
  const groupId = fields.required("GROUP_ID", nonEmptyString);
  const type = readFilesystemType(fields);
  if (type !== undefined) {
    checkStorageKeys(fields, type, remoteOnlyKeys("backup"));
  }
  const dir = fields.required("FILESYSTEM_BACKUP_DIR", directory);
  const storage = type && readStorage(fields, type, { localRoot: dir, stagingDir: dir });
  const maxChunkBytes = fields.withDefault(
    "MAX_CHUNK_BYTES",
    wholeNumber(MIN_CHUNK_BYTES),
    64 * 1024 * 1024,
  );
  const stagingMaxBytes = fields.withDefault(
    "STAGING_MAX_BYTES",
    wholeNumber(MIN_CHUNK_BYTES),
    1024 ** 3,
  );
  // A chunk bigger than the staging limit could never be staged: the backup would stall.
  if (type !== undefined && type !== "LINUX" && stagingMaxBytes < maxChunkBytes) {
    if (fields.has("STAGING_MAX_BYTES")) {
      fields.at("STAGING_MAX_BYTES").fail(`must be at least MAX_CHUNK_BYTES (${maxChunkBytes})`);
    } else {
      fields.at("MAX_CHUNK_BYTES").fail(
        `must be at most STAGING_MAX_BYTES (default ${stagingMaxBytes})`,
      );
    }
  }
  const compression = fields.withDefault("COMPRESSION", oneOf(COMPRESSIONS), "zstd");
  let compressionLevel: number | undefined;
  if (compression !== "none") {
    compressionLevel = fields.optional("COMPRESSION_LEVEL", wholeNumber(1, LEVEL_MAX[compression]));
  } else if (fields.has("COMPRESSION_LEVEL")) {
    fields.at("COMPRESSION_LEVEL").fail(`has no meaning with COMPRESSION "none"`);
  }
  const issues = fields.issues;
  const job: BackupJob = definedOnly({
    file,
    kafka,
    storage: storage ?? { type: "local", root: "" },
    topicNames: [...new Set(topicNames ?? [])],
    topicIncludeRegex,
    topicExcludeRegex,
    groupId: groupId ?? "",
    messagesPerChunk: fields.withDefault(
      "NUMBER_OF_MESSAGE_PER_BACKUP_FILE",
      wholeNumber(1),
      10_000,
    ),
    maxChunkBytes,
    maxChunkAgeSeconds: fields.withDefault("MAX_CHUNK_AGE_SECONDS", positiveNumber, 60),
    retryUploadSeconds: fields.withDefault("RETRY_UPLOAD_SECONDS", positiveNumber, 10),
    threads: fields.withDefault("NUMBER_OF_KAFKA_THREADS", wholeNumber(1), 1),
    logLevel: fields.withDefault("LOG_LEVEL", logLevel, 20),
    compression,
    compressionLevel,
    encryption: readEncryption(fields),
    runMode: fields.withDefault("RUN_MODE", oneOf(BACKUP_RUN_MODES), "continuous"),
    progressIntervalSeconds: fields.withDefault("PROGRESS_INTERVAL_SECONDS", positiveNumber, 10),
    stagingMaxBytes,
    uploadConcurrency: fields.withDefault("UPLOAD_CONCURRENCY", wholeNumber(1), 4),
    consumerGroups: fields.withDefault("CONSUMER_GROUPS", groupSelection, "*"),
    consumerGroupsExclude: fields.optional("CONSUMER_GROUPS_EXCLUDE_REGEX", topicPattern),
    groupSnapshotIntervalSeconds: fields.withDefault(
      "GROUP_SNAPSHOT_INTERVAL_SECONDS",
      positiveNumber,
      60,
    ),
    restorationPointIntervalSeconds: fields.withDefault(
      "RESTORATION_POINT_INTERVAL_SECONDS",
      positiveNumber,
      3600,
    ),
    topicRefreshSeconds: fields.withDefault("TOPIC_REFRESH_SECONDS", positiveNumber, 60),
    operations: readOperations(fields, "backup"),
    retention: readRetention(fields),
  });
  job.runMode = readOverride(issues, "runMode", overrides.runMode, oneOf(BACKUP_RUN_MODES)) ??
    job.runMode;
  job.logLevel = readOverride(issues, "logLevel", overrides.logLevel, logLevel) ?? job.logLevel;
  fields.throwIfAny();
  return job;
}

/** Parses the text of a backup job file (see parseBackupJob). */
export function parseBackupJobText(
  file: string,
  text: string,
  overrides: BackupOverrides = {},
): BackupJob {
  return parseBackupJob(file, parseJobText(file, text), overrides);
}

/**
 * Reads, validates and normalises the backup job file at `path`, then applies
 * `overrides`. Throws a ConfigError (JobFileError) naming the file and every problem.
 */
export async function loadBackupJob(
  path: string,
  overrides: BackupOverrides = {},
): Promise<BackupJob> {
  return parseBackupJob(path, await readJobFile(path), overrides);
}
