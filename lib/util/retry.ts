/**
 * A small retry helper: exponential backoff with full jitter. It retries only failures that
 * could succeed when tried again; which those are is the caller's knowledge (storage's in
 * lib/storage/retriable.ts, Kafka's in lib/kafka/topics.ts). By default only an error of
 * this tool that says so is retried, never a programming error.
 */

import { BackupToolError } from "../errors.ts";

/** What `onRetry` is told before each wait. */
export interface RetryEvent {
  /** The operation, as given in `RetryOptions.what`. */
  what: string;
  /** The attempt that just failed, from 1. */
  attempt: number;
  /** How long the helper waits before the next attempt. */
  delayMs: number;
  /** The failure of that attempt. */
  error: unknown;
}

/** Options of {@linkcode retry}. Without `maxAttempts` or `deadlineMs`, 5 attempts are made. */
export interface RetryOptions {
  /** Names the operation in events, e.g. `put orders/0/000042.chunk`. */
  what: string;
  /** Upper bound of one wait between attempts. */
  maxDelayMs: number;
  /** The first backoff ceiling, doubled after each failure (default 100 ms, capped by `maxDelayMs`). */
  baseDelayMs?: number;
  /** Gives up after this many attempts (the first call included). */
  maxAttempts?: number;
  /** Gives up once this much time has passed since the first attempt; no wait ends past it. */
  deadlineMs?: number;
  /** Called before each wait, e.g. to log the retry. */
  onRetry?: (event: RetryEvent) => void;
  /** Decides what is worth retrying (default: a `BackupToolError` whose `retriable` is set). */
  isRetriable?: (error: unknown) => boolean;
  /** Waits; injectable so tests run without real delays. */
  sleep?: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /** Current time in ms; injectable for deterministic deadline tests. */
  now?: () => number;
}

const DEFAULT_ATTEMPTS = 5;

// Without a classifier, only an error of this tool that says it is worth another try.
const declaresRetriable = (error: unknown) => error instanceof BackupToolError && error.retriable;

/**
 * Calls `fn` until it succeeds, a failure is not retriable, or the attempts or the
 * deadline are used up; then throws the last error unchanged.
 *
 * @example
 * ```ts
 * const data = await retry(() => backend.get(key), { what: `get ${key}`, maxDelayMs: 10_000, deadlineMs: 60_000 });
 * ```
 */
export async function retry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const {
    maxDelayMs,
    baseDelayMs = 100,
    deadlineMs,
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    random = Math.random,
    now = Date.now,
    isRetriable: shouldRetry = declaresRetriable,
  } = options;
  const maxAttempts = options.maxAttempts ??
    (deadlineMs === undefined ? DEFAULT_ATTEMPTS : Number.POSITIVE_INFINITY);
  const start = now();
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= maxAttempts || !shouldRetry(error)) throw error;
      // Full jitter: uniform in [0, ceiling] spreads concurrent retriers apart.
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 30));
      const delayMs = Math.floor(random() * ceiling);
      if (deadlineMs !== undefined && now() - start + delayMs >= deadlineMs) throw error;
      options.onRetry?.({ what: options.what, attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
