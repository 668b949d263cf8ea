/** lib/kafka/patches/request_queue_timer.ts: kafkajs's pending-request check never sets a negative timer. */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import "../../lib/kafka/kafkajs.ts"; // installs the patches

const require = createRequire(import.meta.url);
const RequestQueue = require("kafkajs/src/network/requestQueue/index.js");

function queue() {
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  return new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: "test",
    broker: "127.0.0.1:9",
    logger,
  });
}

/** The delays the queue asks setTimeout for while `fn` runs (timers are not started). */
function timerDelays(fn: () => void): number[] {
  const delays: number[] = [];
  const original = globalThis.setTimeout;
  // deno-lint-ignore no-explicit-any
  (globalThis as any).setTimeout = (_callback: () => void, ms: number) => {
    delays.push(ms);
    return 0;
  };
  try {
    fn();
  } finally {
    globalThis.setTimeout = original;
  }
  return delays;
}

Deno.test("an idle, unthrottled request queue schedules its check without a negative timeout", () => {
  const q = queue();
  const delays = timerDelays(() => q.scheduleCheckPendingRequests());
  assert.equal(delays.length, 1);
  assert.ok(delays[0] >= 0, `setTimeout(..., ${delays[0]})`);
});

Deno.test("a throttled request queue still waits until the throttle ends", () => {
  const q = queue();
  q.throttledUntil = Date.now() + 5_000;
  q.pending.push({});
  const [delay] = timerDelays(() => q.scheduleCheckPendingRequests());
  assert.ok(delay > 4_000 && delay <= 5_000, `waited ${delay} ms`);
});

Deno.test("pending requests without a throttle are checked after kafkajs's 10 ms", () => {
  const q = queue();
  q.pending.push({});
  assert.deepEqual(timerDelays(() => q.scheduleCheckPendingRequests()), [10]);
});
