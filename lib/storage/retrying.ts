/**
 * A wrapper that retries the retriable failures of any backend, so that no backend has to
 * carry its own retry loop (restic's "backend wrapper" pattern).
 */

import type { ObjectInfo, StorageBackend } from "./backend.ts";
import { compareKeys } from "./keys.ts";
import { retry, type RetryEvent, type RetryOptions } from "../util/retry.ts";
import { isRetriable } from "./retriable.ts";
import { StorageError } from "../errors.ts";

/** Options of {@linkcode RetryingBackend}. */
export interface RetryingBackendOptions {
  /** Longest wait between two attempts, e.g. the job's `RETRY_UPLOAD_SECONDS` * 1000. */
  maxDelayMs: number;
  /** Time after which one operation gives up and throws its last error. */
  deadlineMs: number;
  /**
   * Until storage has answered once, the shorter deadline of each operation: a run whose
   * endpoint is wrong or down fails fast instead of retrying for `deadlineMs`. Unset when
   * storage is known to have answered (a Worker started by a main thread that reached it).
   */
  firstContactDeadlineMs?: number;
  /** First backoff ceiling (default 100 ms). */
  baseDelayMs?: number;
  /** Told about each retry, with a message naming the operation, key and error (never a secret). */
  onRetry?: (message: string, event: RetryEvent) => void;
  /** Waits; injectable so tests run without real delays. */
  sleep?: (ms: number) => Promise<void>;
  /** Current time in ms; injectable for deadline tests. */
  now?: () => number;
}

/**
 * Retries every operation of `inner` whose failure is retriable, with jittered exponential
 * backoff up to a deadline. A listing that fails midway restarts after the last key it
 * yielded; a stream already handed out is not retried (its reader sees the error).
 *
 * @example
 * ```ts
 * const storage = new RetryingBackend(new S3Backend({ bucket: "backups" }), {
 *   maxDelayMs: job.RETRY_UPLOAD_SECONDS * 1000,
 *   deadlineMs: 30 * 60_000,
 *   onRetry: (message) => log.warn(message),
 * });
 * ```
 */
export class RetryingBackend implements StorageBackend {
  readonly #inner: StorageBackend;
  readonly #options: RetryingBackendOptions;
  // Whether storage has answered yet (a success or a final answer such as "not found").
  #reached: boolean;

  constructor(inner: StorageBackend, options: RetryingBackendOptions) {
    this.#inner = inner;
    this.#options = options;
    this.#reached = options.firstContactDeadlineMs === undefined;
  }

  get location(): string {
    return this.#inner.location;
  }

  put(key: string, data: Uint8Array): Promise<void> {
    // Puts replace the whole object, so repeating one is safe.
    return this.#retry("put", key, () => this.#inner.put(key, data));
  }

  get(key: string): Promise<Uint8Array> {
    return this.#retry("get", key, () => this.#inner.get(key));
  }

  getStream(key: string): Promise<ReadableStream<Uint8Array>> {
    return this.#retry("getStream", key, () => this.#inner.getStream(key));
  }

  stat(key: string): Promise<ObjectInfo | null> {
    return this.#retry("stat", key, () => this.#inner.stat(key));
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let iterator: AsyncIterator<ObjectInfo> | undefined;
    let last: string | undefined;
    const next = async (): Promise<IteratorResult<ObjectInfo>> => {
      const restarted = iterator === undefined;
      iterator ??= this.#inner.list(prefix)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const result = await iterator.next();
          // After a restart, skip what was already yielded: listings are sorted by key.
          const seen = restarted && !result.done && last !== undefined &&
            compareKeys(result.value.key, last) <= 0;
          if (seen) continue;
          return result;
        }
      } catch (error) {
        iterator = undefined;
        throw error;
      }
    };
    try {
      for (;;) {
        const result = await this.#retry("list", prefix, next);
        if (result.done) return;
        last = result.value.key;
        yield result.value;
      }
    } finally {
      await iterator?.return?.(); // the caller stopped early: let the inner listing clean up
    }
  }

  delete(key: string): Promise<void> {
    return this.#retry("delete", key, () => this.#inner.delete(key));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #retry<T>(op: string, key: string, fn: () => Promise<T>): Promise<T> {
    const firstContact = !this.#reached;
    try {
      const result = await retry(fn, this.#retryOptions(op, key, firstContact));
      this.#reached = true;
      return result;
    } catch (error) {
      if (!isRetriable(error)) this.#reached = true; // an answer, if not the one hoped for
      if (firstContact && !this.#reached) throw this.#unreachable(error);
      throw error;
    }
  }

  #retryOptions(op: string, key: string, firstContact: boolean): RetryOptions {
    const { maxDelayMs, deadlineMs, firstContactDeadlineMs, baseDelayMs, sleep, now, onRetry } =
      this.#options;
    return {
      what: `${op} ${key}`,
      maxDelayMs,
      deadlineMs: firstContact ? Math.min(deadlineMs, firstContactDeadlineMs!) : deadlineMs,
      baseDelayMs,
      sleep,
      now,
      isRetriable,
      onRetry: onRetry &&
        ((event) => {
          const reason = event.error instanceof Error ? event.error.message : String(event.error);
          onRetry(
            `Retrying ${op} of "${key}" in ${this.location} in ${event.delayMs} ms ` +
              `(attempt ${event.attempt} failed: ${reason})`,
            event,
          );
        }),
    };
  }

  /** The error of a run that never reached its storage: not retriable, naming the endpoint. */
  #unreachable(error: unknown): StorageError {
    const seconds = Math.round(this.#options.firstContactDeadlineMs! / 1000);
    const reason = error instanceof Error ? error.message : String(error);
    const endpoint = this.#inner.endpoint ?? this.location;
    return new StorageError(
      `Storage at ${endpoint} (${this.location}) did not answer for ${seconds} s at the start ` +
        `of the run; check the endpoint and the network. Last error: ${reason}`,
      { cause: error },
    );
  }
}
