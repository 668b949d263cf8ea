/**
 * One error hierarchy for the whole tool. Every error carries the process exit code
 * that the entry scripts map it to, and whether retrying the same call could succeed.
 */

/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** An unexpected internal error (a bug): the message and stack are printed. */
  internal: 1,
  /** Bad command line or job file: the message names the file and the JSON path. */
  config: 2,
  /** Kafka could not be reached, refused the credentials, or lacks a named topic. */
  kafka: 3,
  /** The storage (directory, bucket, container) is missing, unreachable or refused access. */
  storage: 4,
  /** The archive failed verification: checksum mismatch, missing chunk or sidecar, hole. */
  integrity: 5,
  /** A safety check refused the job: non-empty target, too few target partitions. */
  refused: 6,
  /** A record cannot be written to the target (for example larger than its limit). */
  record: 7,
} as const;

export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

export interface BackupErrorOptions {
  cause?: unknown;
  /** True when the same operation may succeed if tried again later. */
  retriable?: boolean;
}

/** Base class: a failure the tool understands and can explain to an operator. */
export class BackupToolError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly retriable: boolean;

  constructor(message: string, exitCode: ExitCodeValue, options: BackupErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.retriable = options.retriable ?? false;
  }
}

/** A bad job file, flag or value. */
export class ConfigError extends BackupToolError {
  constructor(message: string, options: BackupErrorOptions = {}) {
    super(message, ExitCode.config, options);
  }
}

/** A bad command line: the problem, and the usage text that says how it should look. */
export class UsageError extends ConfigError {
  constructor(message: string, readonly usage: string) {
    super(message);
  }
}

/** Kafka is unreachable, refused us, or lacks what the job names. */
export class KafkaError extends BackupToolError {
  constructor(message: string, options: BackupErrorOptions = {}) {
    super(message, ExitCode.kafka, options);
  }
}

/** The storage backend failed. `retriable` separates a flaky network from a missing bucket. */
export class StorageError extends BackupToolError {
  constructor(message: string, options: BackupErrorOptions = {}) {
    super(message, ExitCode.storage, options);
  }
}

/** A key that does not exist in storage. */
export class NotFoundError extends StorageError {
  readonly key: string;
  constructor(key: string, where: string) {
    super(`Not found in storage: ${key} (${where})`);
    this.key = key;
  }
}

/** The archive is damaged or incomplete. */
export class IntegrityError extends BackupToolError {
  constructor(message: string, options: BackupErrorOptions = {}) {
    super(message, ExitCode.integrity, options);
  }
}

/** A safety rule refused to go on. */
export class RefusedError extends BackupToolError {
  constructor(message: string, options: BackupErrorOptions = {}) {
    super(message, ExitCode.refused, options);
  }
}

/** One record cannot be restored as it is. */
export class RecordError extends BackupToolError {
  constructor(message: string, options: BackupErrorOptions = {}) {
    super(message, ExitCode.record, options);
  }
}

/** The exit code for any thrown value: ours carry one, anything else is a bug. */
export function exitCodeOf(error: unknown): ExitCodeValue {
  if (error instanceof BackupToolError) return error.exitCode;
  if (!isKafkaClientError(error)) return ExitCode.internal;
  // kafkajs wraps an error it will not retry; one of ours inside keeps its meaning (a
  // damaged batch found while decoding a fetch is an integrity failure, not Kafka's).
  for (let cause = error.cause, depth = 0; cause && depth < 8; depth++) {
    if (cause instanceof BackupToolError) return cause.exitCode;
    cause = (cause as Error).cause;
  }
  return ExitCode.kafka;
}

/**
 * An error of the Kafka client (KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded,
 * ...) that reached the top: Kafka refused or failed a request, which is not a bug here.
 */
export function isKafkaClientError(error: unknown): error is Error {
  return error instanceof Error && error.name.startsWith("KafkaJS");
}
