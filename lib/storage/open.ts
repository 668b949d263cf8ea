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
  /**
   * True in a Worker whose main thread has already reached storage: its first calls ride
   * out an outage like any later one. Otherwise the first contact fails within
   * FIRST_CONTACT_SECONDS, so a wrong endpoint stops a run at once with exit 4.
   */
  alreadyReached?: boolean;
}

/** How long a run's first storage calls may fail before it stops (exit 4). */
export const FIRST_CONTACT_SECONDS = 30;

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
    firstContactDeadlineMs: options.alreadyReached ? undefined : FIRST_CONTACT_SECONDS * 1000,
    onRetry: (message) => logger.warn(message),
  });
}
