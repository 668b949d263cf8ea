/**
 * Opens the storage backend a job file describes. Cloud backends are wrapped so that
 * transient failures are retried with jittered backoff (RETRY_UPLOAD_SECONDS bounds the
 * wait between attempts) while permanent ones (missing bucket, bad credentials) fail fast.
 */
import type { StorageBackend } from "./backend.ts";
import { LocalBackend } from "./local.ts";
import { RetryingBackend } from "./retrying.ts";
import type { Logger } from "../log.ts";
import type { StorageConfig } from "../config/storage_config.ts";

export interface OpenStorageOptions {
  /** Longest wait between two attempts of a failing storage call, in seconds. */
  retrySeconds: number;
  /** How long one storage call may keep failing before the job stops, in seconds. */
  giveUpSeconds?: number;
}

/**
 * The backend for `config`. The cloud SDKs are loaded only when a job uses them: loading
 * them costs about 0.3 s of CPU in every Worker, a quarter of a short local backup.
 */
export async function openStorage(
  config: StorageConfig,
  logger: Logger,
  options: OpenStorageOptions,
): Promise<StorageBackend> {
  if (config.type === "local") return new LocalBackend(config.root);
  const inner = config.type === "s3"
    ? new (await import("./s3.ts")).S3Backend({
      bucket: config.bucket,
      prefix: config.prefix,
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      storageClass: config.storageClass,
    })
    : new (await import("./azure.ts")).AzureBlobBackend({
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
