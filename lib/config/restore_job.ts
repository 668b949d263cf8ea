/** The restore job file (restore.json): its keys, defaults and the typed result. */
import { type OperationsConfig, readOperations } from "./operations_config.ts";
import {
  PARTITION_STRATEGIES,
  type PartitionStrategy,
  RESTORE_RUN_MODES,
  type RestoreRunMode,
} from "./choices.ts";
import { type EnvLookup, processEnv } from "./env_expand.ts";
import { JobFields } from "./job_fields.ts";
import { keyCheck } from "./keys.ts";
import { type KafkaConfig, readKafka } from "./kafka_config.ts";
import { readOverride } from "./overrides.ts";
import { parseJobText, readJobFile } from "./read_job_file.ts";
import { readRestoreTopics, type TopicPair } from "./restore_topics.ts";
import { readRestoreMetadataKeys } from "./restore_metadata.ts";
import { type LatestPerKey, readLatestPerKey } from "./latest_per_key_config.ts";
import type { GroupSelection } from "./kafka_values.ts";
import type { PointSpec } from "../archive/restoration_point.ts";
import { topicName } from "./kafka_values.ts";
import type { StorageConfig } from "../storage/registry.ts";
import { checkStorageKeys, readFilesystemType, readStorage } from "./storage_config.ts";
import { type DecryptionKeys, readDecryptionKeys } from "./encryption_config.ts";
import { logLevel, timestamp } from "./time_values.ts";
import {
  arrayOf,
  boolean,
  definedOnly,
  directory,
  oneOf,
  positiveNumber,
  wholeNumber,
} from "./values.ts";

export { PARTITION_STRATEGIES, RESTORE_RUN_MODES };
export type { PartitionStrategy, RestoreRunMode };

/** Settings from the command line that replace the file's (validated the same way). */
export interface RestoreOverrides {
  runMode?: string;
  logLevel?: string | number;
}

/** A validated restore job. Optional members are absent (not undefined) when not set. */
export interface RestoreJob {
  /** The job file's path as given, for messages. */
  file: string;
  kafka: KafkaConfig;
  storage: StorageConfig;
  /** Source topic in the archive -> target topic in Kafka; at least one pair. */
  topics: TopicPair[];
  /** LINUX only: the directory holding one subdirectory per backed-up topic. */
  archiveRoot?: string;
  /**
   * BUFFER_MAX_BYTES: chunk bytes (downloaded file and decoded body) one Worker holds at
   * once across its partitions; a larger chunk is restored alone. The default holds a
   * chunk of 10,000 1 KiB records decoded and the next one's file: measured on a 900 MiB
   * restore at 2 Workers, 24 MiB ran as fast as 128 MiB (16.2 s and 16.0 s, 11.9 s and
   * 11.9 s) with a peak of 516-528 MiB instead of 663-668 MiB.
   */
  bufferMaxBytes: number;
  /** RETRY_SECONDS: how often follow mode looks for new chunks (only that). */
  retrySeconds: number;
  /** RETRY_DOWNLOAD_SECONDS: longest wait between retries of a failing storage call. */
  retryDownloadSeconds: number;
  /** RESTORE_PARTITION_STRATEGY. */
  strategy: PartitionStrategy;
  /** NUMBER_OF_KAFKA_THREADS. */
  threads: number;
  logLevel: number;
  runMode: RestoreRunMode;
  /** Only these source partitions (sorted, distinct); absent means all. */
  partitions?: number[];
  /** Inclusive offset and timestamp (epoch ms) bounds. */
  startOffset?: number;
  endOffset?: number;
  startTimestamp?: number;
  endTimestamp?: number;
  createTopic: boolean;
  allowNonEmptyTarget: boolean;
  /** RECORDS_PER_TRANSACTION: an upper bound on records per transaction; absent: none. */
  recordsPerTransaction?: number;
  /**
   * BYTES_PER_TRANSACTION: a transaction closes once its records reach this many bytes
   * (and at the end of each chunk). Each transaction costs about six round trips to the
   * broker; measured on a 300,000-record restore (1 KiB values, 10,000-record chunks),
   * see docs/performance.md.
   */
  bytesPerTransaction: number;
  /** OFFSET_MAP_TOPIC: where each transaction also writes its source -> target offset map. */
  offsetMapTopic?: string;
  progressIntervalSeconds: number;
  /** RESTORATION_POINT: restore up to this point of the backup (and its group offsets). */
  restorationPoint?: PointSpec;
  /** RESTORE_CONSUMER_GROUPS: whose offsets are translated and committed; absent: none. */
  restoreConsumerGroups?: GroupSelection;
  /** CONSUMER_GROUP_MAP: source group -> target group. */
  consumerGroupMap?: Record<string, string>;
  /** TOPIC_CONFIG_OVERRIDES: target topic -> config -> value, or null to leave it out. */
  topicConfigOverrides?: Record<string, Record<string, string | null>>;
  /**
   * DECRYPTION_KEYS: key id -> the 32 bytes of the key, for encrypted chunks and metadata
   * objects. Secrets: never log or write them (they are no part of the fingerprint).
   */
  decryptionKeys?: DecryptionKeys;
  /** Metrics and the rate limits (operations_config.ts). */
  operations: OperationsConfig;
  /** LATEST_PER_KEY (and KEEP_TOMBSTONES): absent unless LATEST_PER_KEY is true. */
  latestPerKey?: LatestPerKey;
}

/** BYTES_PER_TRANSACTION's default (see RestoreJob.bytesPerTransaction). */
export const DEFAULT_BYTES_PER_TRANSACTION = 16 * 1024 * 1024;

/** BUFFER_MAX_BYTES when the job file has none (see RestoreJob.bufferMaxBytes). */
export const DEFAULT_BUFFER_MAX_BYTES = 24 * 1024 * 1024;

function checkRange(fields: JobFields, startKey: string, start?: number, end?: number): void {
  if (start !== undefined && end !== undefined && start > end) {
    fields.at(startKey).fail(
      `is after ${startKey.replace("START", "END")} (both bounds are inclusive)`,
    );
  }
}

/**
 * Validates the top-level object of a restore job file named `file`. Throws a
 * JobFileError listing every problem; `env` resolves `${VAR}` references.
 */
export function parseRestoreJob(
  file: string,
  raw: Record<string, unknown>,
  overrides: RestoreOverrides = {},
  env: EnvLookup = processEnv,
): RestoreJob {
  const fields = new JobFields(file, raw, keyCheck("restore"), env);
  const kafka = readKafka(fields);
  const type = readFilesystemType(fields);
  if (type !== undefined) checkStorageKeys(fields, type);
  const dir = fields.required("FILESYSTEM_BACKUP_DIR", directory);
  const { topics, localRoot } = readRestoreTopics(fields, type, dir);
  const storage = type && readStorage(fields, type, { localRoot, stagingDir: dir });
  const partitions = fields.optional("PARTITIONS", (value, at) => {
    const list = arrayOf(wholeNumber(0), "partition numbers")(value, at);
    if (list?.length === 0) {
      return at.fail("expected at least one partition (leave PARTITIONS out for all)");
    }
    return list && [...new Set(list)].sort((a, b) => a - b);
  });
  const startOffset = fields.optional("START_OFFSET", wholeNumber(0));
  const endOffset = fields.optional("END_OFFSET", wholeNumber(0));
  const startTimestamp = fields.optional("START_TIMESTAMP", timestamp);
  const endTimestamp = fields.optional("END_TIMESTAMP", timestamp);
  checkRange(fields, "START_OFFSET", startOffset, endOffset);
  checkRange(fields, "START_TIMESTAMP", startTimestamp, endTimestamp);
  const strategy = fields.withDefault(
    "RESTORE_PARTITION_STRATEGY",
    oneOf(PARTITION_STRATEGIES),
    "same",
  );
  const metadata = readRestoreMetadataKeys(fields, topics, strategy, partitions !== undefined);
  const latestPerKey = readLatestPerKey(fields);
  // A point is a fixed moment, and so is a latest-per-key range: there is nothing to follow.
  const defaultMode = metadata.restorationPoint || latestPerKey ? "once" : "follow";
  const issues = fields.issues;
  const job: RestoreJob = definedOnly({
    file,
    kafka,
    storage: storage ?? { type: "local", root: "" },
    topics,
    archiveRoot: type === "LINUX" ? localRoot : undefined,
    retrySeconds: fields.withDefault("RETRY_SECONDS", positiveNumber, 30),
    retryDownloadSeconds: fields.withDefault("RETRY_DOWNLOAD_SECONDS", positiveNumber, 10),
    strategy,
    threads: fields.withDefault("NUMBER_OF_KAFKA_THREADS", wholeNumber(1), 1),
    logLevel: fields.withDefault("LOG_LEVEL", logLevel, 20),
    runMode: fields.withDefault("RUN_MODE", oneOf(RESTORE_RUN_MODES), defaultMode),
    partitions,
    startOffset,
    endOffset,
    startTimestamp,
    endTimestamp,
    createTopic: fields.withDefault("CREATE_TOPIC", boolean, false),
    allowNonEmptyTarget: fields.withDefault("ALLOW_NON_EMPTY_TARGET", boolean, false),
    recordsPerTransaction: fields.optional("RECORDS_PER_TRANSACTION", wholeNumber(1)),
    bytesPerTransaction: fields.withDefault(
      "BYTES_PER_TRANSACTION",
      wholeNumber(1024),
      DEFAULT_BYTES_PER_TRANSACTION,
    ),
    bufferMaxBytes: fields.withDefault(
      "BUFFER_MAX_BYTES",
      wholeNumber(1024 * 1024),
      DEFAULT_BUFFER_MAX_BYTES,
    ),
    offsetMapTopic: fields.optional("OFFSET_MAP_TOPIC", topicName),
    progressIntervalSeconds: fields.withDefault("PROGRESS_INTERVAL_SECONDS", positiveNumber, 10),
    ...metadata,
    decryptionKeys: readDecryptionKeys(fields),
    operations: readOperations(fields, "restore"),
    latestPerKey,
  });
  job.runMode = readOverride(issues, "runMode", overrides.runMode, oneOf(RESTORE_RUN_MODES)) ??
    job.runMode;
  job.logLevel = readOverride(issues, "logLevel", overrides.logLevel, logLevel) ?? job.logLevel;
  if (job.restorationPoint && job.runMode === "follow") {
    fields.at("RESTORATION_POINT").fail(
      `restores a fixed moment of the backup: it cannot be followed (RUN_MODE "follow")`,
    );
  }
  if (job.latestPerKey && job.runMode === "follow") {
    fields.at("LATEST_PER_KEY").fail(
      `restores the last record of each key of a fixed range: it cannot be followed (RUN_MODE "follow")`,
    );
  }
  fields.throwIfAny();
  return job;
}

/** Parses the text of a restore job file (see parseRestoreJob). */
export function parseRestoreJobText(
  file: string,
  text: string,
  overrides: RestoreOverrides = {},
): RestoreJob {
  return parseRestoreJob(file, parseJobText(file, text), overrides);
}

/**
 * Reads, validates and normalises the restore job file at `path`, resolves its topics,
 * then applies `overrides`. Throws a ConfigError (JobFileError) naming the file and
 * every problem.
 */
export async function loadRestoreJob(
  path: string,
  overrides: RestoreOverrides = {},
): Promise<RestoreJob> {
  return parseRestoreJob(path, await readJobFile(path), overrides);
}
