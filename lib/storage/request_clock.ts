/**
 * A clock on one storage request: an answer that does not come in time is a failure to
 * retry, not a wait forever (STORAGE_TIMEOUT_SECONDS). The SDKs' own timeouts do not do
 * this here: S3's relies on a socket idle timeout Deno's node:http does not fire, and
 * Azure's `tryTimeoutInMs` only asks the server to give up.
 */

/** The error of a request the clock stopped: a name the SDKs and isRetriable take as transient. */
export function noAnswer(ms: number): Error {
  return Object.assign(
    new Error(`no answer within ${ms / 1000} s (STORAGE_TIMEOUT_SECONDS)`),
    { name: "TimeoutError" },
  );
}

/**
 * Runs `op` with a signal that aborts it when it has not settled within `ms`; a request
 * so aborted fails with `noAnswer`. The clock stops once `op` settles, so a body that
 * `op` hands on is not cut later (its reader has a clock of its own: read_timeout.ts).
 * Calls that share one `clock` (the pages of a listing) each get `ms`; an abort of
 * `clock` by anything else than this timer passes as the error `op` fails with.
 */
export async function withinTime<T>(
  ms: number,
  op: (signal: AbortSignal) => Promise<T>,
  clock = new AbortController(),
): Promise<T> {
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    clock.abort();
  }, ms);
  try {
    return await op(clock.signal);
  } catch (error) {
    if (expired) throw noAnswer(ms);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
