import assert from "node:assert/strict";
import { NotFoundError, StorageError } from "../../lib/errors.ts";
import type { ObjectInfo, StorageBackend } from "../../lib/storage/backend.ts";
import { isRetriable } from "../../lib/storage/retriable.ts";
import { retry, type RetryEvent } from "../../lib/util/retry.ts";
import { RetryingBackend } from "../../lib/storage/retrying.ts";

const noSleep = (delays: number[] = []) => (ms: number) => {
  delays.push(ms);
  return Promise.resolve();
};

/** A function that fails with the given errors in turn, then returns "ok". */
function failing(...errors: unknown[]): { fn: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    fn: () => {
      const error = errors[calls++];
      return error === undefined ? Promise.resolve("ok") : Promise.reject(error);
    },
    calls: () => calls,
  };
}

const transient = () => new StorageError("flaky", { retriable: true });

Deno.test("retry returns the result once a retriable failure clears", async () => {
  const { fn, calls } = failing(transient(), transient());
  const events: RetryEvent[] = [];
  const result = await retry(fn, {
    what: "put a",
    maxDelayMs: 50,
    sleep: noSleep(),
    onRetry: (e) => events.push(e),
  });
  assert.equal(result, "ok");
  assert.equal(calls(), 3);
  assert.deepEqual(events.map((e) => [e.what, e.attempt]), [["put a", 1], ["put a", 2]]);
});

Deno.test("retry never retries a non-retriable StorageError", async () => {
  const final = new StorageError("bucket missing");
  const { fn, calls } = failing(final);
  await assert.rejects(retry(fn, { what: "x", maxDelayMs: 10, sleep: noSleep() }), final);
  assert.equal(calls(), 1);
});

Deno.test("retry never retries programming errors", async () => {
  for (const bug of [new TypeError("x is undefined"), new RangeError("bad"), new Error("plain")]) {
    const { fn, calls } = failing(bug);
    await assert.rejects(retry(fn, { what: "x", maxDelayMs: 10, sleep: noSleep() }), bug);
    assert.equal(calls(), 1);
  }
});

Deno.test("retry retries known transient network errors", async () => {
  const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  const refused = new Deno.errors.ConnectionRefused("refused");
  const { fn, calls } = failing(reset, refused);
  // Storage's classification (the helper itself knows no network errors, see the next test).
  const options = { what: "x", maxDelayMs: 10, sleep: noSleep(), isRetriable };
  assert.equal(await retry(fn, options), "ok");
  assert.equal(calls(), 3);
  assert.equal(isRetriable(new NotFoundError("k", "here")), false);
  assert.equal(isRetriable("a string"), false);
});

Deno.test("retry without a classifier retries only an error of this tool that says it is retriable", async () => {
  const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  const { fn, calls } = failing(reset);
  await assert.rejects(retry(fn, { what: "x", maxDelayMs: 10, sleep: noSleep() }), reset);
  assert.equal(calls(), 1);
});

Deno.test("retry gives up after maxAttempts and throws the last error", async () => {
  const errors = [transient(), transient(), transient(), transient()];
  const { fn, calls } = failing(...errors);
  await assert.rejects(
    retry(fn, { what: "x", maxDelayMs: 10, maxAttempts: 3, sleep: noSleep() }),
    errors[2],
  );
  assert.equal(calls(), 3);
});

Deno.test("retry makes 5 attempts when neither maxAttempts nor deadlineMs is given", async () => {
  const { fn, calls } = failing(...Array.from({ length: 9 }, transient));
  await assert.rejects(retry(fn, { what: "x", maxDelayMs: 10, sleep: noSleep() }));
  assert.equal(calls(), 5);
});

Deno.test("retry backs off exponentially with full jitter capped at maxDelayMs", async () => {
  const delays: number[] = [];
  const { fn } = failing(...Array.from({ length: 6 }, transient));
  // random() just below 1 shows each ceiling: 100, 200, 400, then the 500 cap.
  await retry(fn, {
    what: "x",
    baseDelayMs: 100,
    maxDelayMs: 500,
    maxAttempts: 10,
    random: () => 0.9999,
    sleep: noSleep(delays),
  });
  assert.deepEqual(delays, [99, 199, 399, 499, 499, 499]);
  const jittered: number[] = [];
  await retry(failing(transient()).fn, {
    what: "x",
    maxDelayMs: 500,
    random: () => 0,
    sleep: noSleep(jittered),
  });
  assert.deepEqual(jittered, [0]);
});

Deno.test("retry stops before a wait that would end past the deadline", async () => {
  let clock = 0;
  const errors = Array.from({ length: 20 }, transient);
  const { fn, calls } = failing(...errors);
  await assert.rejects(
    retry(fn, {
      what: "x",
      baseDelayMs: 100,
      maxDelayMs: 100,
      deadlineMs: 350,
      random: () => 0.9999,
      now: () => clock,
      sleep: (ms) => {
        clock += ms;
        return Promise.resolve();
      },
    }),
    errors[3],
  );
  // Waits of 99 ms at 0, 99, 198; a fourth would end at 396 > 350.
  assert.equal(calls(), 4);
});

/** A backend whose every method fails `failures` times with a retriable error first. */
class FlakyBackend implements StorageBackend {
  readonly location = "mem://flaky";
  readonly objects = new Map<string, Uint8Array>();
  failures = 0;
  /** `list` fails once after yielding this many items. */
  listBreakAfter = -1;

  #maybeFail(): void {
    if (this.failures > 0) {
      this.failures--;
      throw new StorageError("connection reset", { retriable: true });
    }
  }
  put(key: string, data: Uint8Array) {
    this.#maybeFail();
    this.objects.set(key, data);
    return Promise.resolve();
  }
  get(key: string) {
    this.#maybeFail();
    const data = this.objects.get(key);
    return data ? Promise.resolve(data) : Promise.reject(new NotFoundError(key, this.location));
  }
  async getStream(key: string) {
    const data = await this.get(key);
    return ReadableStream.from([data]);
  }
  stat(key: string) {
    this.#maybeFail();
    const data = this.objects.get(key);
    return Promise.resolve(data ? { key, size: data.byteLength } : null);
  }
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    this.#maybeFail();
    let yielded = 0;
    for (const key of [...this.objects.keys()].sort()) {
      if (!key.startsWith(prefix)) continue;
      if (yielded++ === this.listBreakAfter) {
        this.listBreakAfter = -1;
        throw new StorageError("connection reset mid-listing", { retriable: true });
      }
      yield { key, size: this.objects.get(key)!.byteLength };
    }
  }
  delete(key: string) {
    this.#maybeFail();
    this.objects.delete(key);
    return Promise.resolve();
  }
  close() {
    return Promise.resolve();
  }
}

function wrap(inner: FlakyBackend, messages: string[] = []) {
  return new RetryingBackend(inner, {
    maxDelayMs: 5,
    deadlineMs: 60_000,
    sleep: noSleep(),
    onRetry: (message) => messages.push(message),
  });
}

Deno.test("RetryingBackend retries every operation and logs the operation and key", async () => {
  const inner = new FlakyBackend();
  const messages: string[] = [];
  const backend = wrap(inner, messages);
  const data = new Uint8Array([1, 2, 3]);
  inner.failures = 2;
  await backend.put("a/1", data);
  inner.failures = 1;
  assert.deepEqual(await backend.get("a/1"), data);
  inner.failures = 1;
  assert.deepEqual(await backend.stat("a/1"), { key: "a/1", size: 3 });
  inner.failures = 1;
  await backend.delete("a/1");
  assert.equal(await backend.stat("a/1"), null);
  assert.equal(messages.length, 5);
  assert.match(
    messages[0],
    /^Retrying put of "a\/1" in mem:\/\/flaky in \d+ ms \(attempt 1 failed: /,
  );
  assert.equal(backend.location, "mem://flaky");
});

Deno.test("RetryingBackend passes NotFoundError through without retrying", async () => {
  const messages: string[] = [];
  await assert.rejects(wrap(new FlakyBackend(), messages).get("missing"), NotFoundError);
  assert.deepEqual(messages, []);
});

Deno.test("RetryingBackend resumes a broken listing after the last key it yielded", async () => {
  const inner = new FlakyBackend();
  for (const key of ["p/a", "p/b", "p/c", "p/d", "q/x"]) inner.objects.set(key, new Uint8Array(1));
  inner.listBreakAfter = 2;
  inner.failures = 1;
  const keys: string[] = [];
  for await (const info of wrap(inner).list("p/")) keys.push(info.key);
  assert.deepEqual(keys, ["p/a", "p/b", "p/c", "p/d"]);
});

/** A RetryingBackend that fails fast at first contact, on a clock its waits advance. */
function wrapWithClock(inner: FlakyBackend) {
  const clock = { ms: 0 };
  const backend = new RetryingBackend(inner, {
    maxDelayMs: 1_000,
    deadlineMs: 600_000,
    firstContactDeadlineMs: 30_000,
    sleep: (ms) => {
      clock.ms += ms;
      return Promise.resolve();
    },
    now: () => clock.ms,
  });
  return { backend, clock };
}

Deno.test("RetryingBackend stops within the first-contact deadline when storage never answers", async () => {
  const inner = new FlakyBackend();
  inner.failures = Number.POSITIVE_INFINITY;
  const { backend, clock } = wrapWithClock(inner);
  await assert.rejects(backend.stat("kafka-backup.check"), (e: unknown) => {
    assert.ok(e instanceof StorageError && !e.retriable);
    assert.match(e.message, /^Storage at mem:\/\/flaky \(mem:\/\/flaky\) did not answer for 30 s/);
    assert.match(e.message, /Last error: connection reset/);
    return true;
  });
  assert.ok(clock.ms <= 30_000 && clock.ms > 20_000, `gave up after ${clock.ms} ms`);
});

Deno.test("RetryingBackend rides out a long outage once storage has answered", async () => {
  const inner = new FlakyBackend();
  const { backend, clock } = wrapWithClock(inner);
  await backend.put("a", new Uint8Array(1)); // first contact
  inner.failures = 200; // about 100 s of waits of up to 1 s
  assert.equal((await backend.stat("a"))?.size, 1);
  assert.ok(clock.ms > 30_000, `the outage lasted only ${clock.ms} ms`);
});

Deno.test("RetryingBackend counts a final answer such as not-found as first contact", async () => {
  const inner = new FlakyBackend();
  const { backend, clock } = wrapWithClock(inner);
  await assert.rejects(backend.get("missing"), NotFoundError);
  inner.failures = 200;
  assert.equal(await backend.stat("missing"), null);
  assert.ok(clock.ms > 30_000);
});
