/**
 * Which Kafka failures are worth trying again, and a retry of a whole step (planning,
 * offsets) while they last: a broker restarting or a leader moving is waited for, a
 * refusal is not.
 */
import { retry } from "../util/retry.ts";

/**
 * kafkajs errors of a broker that is away for now: a connection that broke or timed out,
 * or no coordinator found while a broker restarts (kafkajs calls that one final once its
 * own retries ran out, but a later attempt finds the coordinator back).
 */
const CONNECTION_ERRORS = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSGroupCoordinatorNotFound",
]);

/**
 * True for a kafkajs error after which trying again may work: a leader moving or not
 * ready yet, a broker that went away, or a kafkajs error wrapping one of those.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ((error as { retriable?: unknown }).retriable === true) return true;
  if (CONNECTION_ERRORS.has(error.name)) return true;
  // kafkajs wraps what made it give up (retries exceeded, a "non-retriable" wrapper).
  return error.name.startsWith("KafkaJS") && isRetriableKafkaError(error.cause);
}

/**
 * Runs `fn` (which must be safe to repeat) again while it fails with a retriable Kafka
 * error, for up to `deadlineMs` (default a minute): the main thread's planning rides out
 * a broker restart.
 */
export function withKafkaRetry<T>(
  what: string,
  fn: () => Promise<T>,
  { deadlineMs = 60_000, maxDelayMs = 5_000 } = {},
): Promise<T> {
  return retry(fn, { what, maxDelayMs, deadlineMs, isRetriable: isRetriableKafkaError });
}
