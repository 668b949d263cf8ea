/**
 * A small retry helper: exponential backoff with full jitter that only retries failures
 * that could succeed when tried again, and never a programming error.
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
  /** Decides what is worth retrying (default {@linkcode isRetriable}). */
  isRetriable?: (error: unknown) => boolean;
  /** Waits; injectable so tests run without real delays. */
  sleep?: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /** Current time in ms; injectable for deterministic deadline tests. */
  now?: () => number;
}

const DEFAULT_ATTEMPTS = 5;

// Error codes of Node sockets, undici and DNS that mean "the network hiccupped", not "you are wrong".
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ESOCKETTIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

// Deno's own I/O error classes with the same meaning.
const TRANSIENT_DENO_ERRORS: (new (...args: never[]) => Error)[] = [
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.TimedOut,
  Deno.errors.BrokenPipe,
  Deno.errors.Interrupted,
];

/**
 * True when trying again could succeed: a `BackupToolError` whose `retriable` is set,
 * or a known transient network error. Programming errors (`TypeError`, `RangeError`, ...)
 * and every other error are final.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof BackupToolError) return error.retriable;
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_DENO_ERRORS.some((cls) => error instanceof cls)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && TRANSIENT_CODES.has(code);
}

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
    isRetriable: shouldRetry = isRetriable,
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
