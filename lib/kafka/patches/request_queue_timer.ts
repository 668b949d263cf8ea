/**
 * Replaces: kafkajs's RequestQueue.scheduleCheckPendingRequests. Why: with nothing pending
 * and no throttle it sets a timer of `-1 - Date.now()` ms, which Deno's Node layer reports
 * on stderr as a TimeoutNegativeWarning in the middle of a healthy run. Same schedule,
 * never negative (a negative timeout fires at once, as 0 does).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL (requestQueue/index.js). */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

function scheduleCheckPendingRequests(this: Any): void {
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.throttleCheckTimeoutId) return;
  if (this.pending.length > 0) {
    scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, Math.max(0, scheduleAt));
}

export function install(): void {
  const RequestQueue: Any = require("kafkajs/src/network/requestQueue/index.js");
  if (typeof RequestQueue.prototype.scheduleCheckPendingRequests !== "function") {
    throw new Error("kafkajs RequestQueue has no scheduleCheckPendingRequests to replace");
  }
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
}
