/**
 * Opens the storage backend a job file describes. Cloud backends are wrapped so that
 * transient failures are retried with jittered backoff (RETRY_UPLOAD_SECONDS bounds the
 * wait between attempts) while permanent ones (missing bucket, bad credentials) fail fast.
 */
import type { StorageBackend } from "./backend.ts";
import { LocalBackend } from "./local.ts";
import { S3Backend } from "./s3.ts";
import { AzureBlobBackend } from "./azure.ts";
import { RetryingBackend } from "./retrying.ts";
import type { Logger } from "../log.ts";
import type { StorageConfig } from "../config/storage_config.ts";

export interface OpenStorageOptions {
  /** Longest wait between two attempts of a failing storage call, in seconds. */
  retrySeconds: number;
  /** How long one storage call may keep failing before the job stops, in seconds. */
  giveUpSeconds?: number;
}

export function openStorage(
  config: StorageConfig,
  logger: Logger,
  options: OpenStorageOptions,
): StorageBackend {
  if (config.type === "local") return new LocalBackend(config.root);
  const inner = config.type === "s3"
    ? new S3Backend({
      bucket: config.bucket,
      prefix: config.prefix,
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      storageClass: config.storageClass,
    })
    : new AzureBlobBackend({
      container: config.container,
      prefix: config.prefix,
      accountUrl: config.accountUrl,
    });
  return new RetryingBackend(inner, {
    maxDelayMs: options.retrySeconds * 1000,
    deadlineMs: (options.giveUpSeconds ?? 600) * 1000,
    onRetry: (message) => logger.warn(message),
  });
}
