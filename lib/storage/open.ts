/**
 * Opens the storage backend a job file describes. Cloud backends are wrapped so that
 * transient failures are retried with jittered backoff (a backup's RETRY_UPLOAD_SECONDS or a
 * restore's RETRY_DOWNLOAD_SECONDS bounds the wait between attempts) while permanent ones
 * (missing bucket, bad credentials) fail fast.
 */
import type { StorageBackend } from "./backend.ts";
import { type StorageConfig, storageKindOf } from "./registry.ts";
import { RetryingBackend } from "./retrying.ts";
import type { Logger } from "../log.ts";

export interface OpenStorageOptions {
  /** Longest wait between two attempts of a failing storage call, in seconds. */
  maxRetryWaitSeconds: number;
  /** How long one storage call may keep failing before the job stops, in seconds. */
  giveUpSeconds?: number;
}

/** The backend for `config`, retrying when it is a network service. */
export async function openStorage(
  config: StorageConfig,
  logger: Logger,
  options: OpenStorageOptions,
): Promise<StorageBackend> {
  const kind = storageKindOf(config);
  const inner = await kind.open(config);
  if (!kind.remote) return inner;
  return new RetryingBackend(inner, {
    maxDelayMs: options.maxRetryWaitSeconds * 1000,
    deadlineMs: (options.giveUpSeconds ?? 600) * 1000,
    onRetry: (message) => logger.warn(message),
  });
}
