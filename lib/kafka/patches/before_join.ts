/**
 * Replaces: ConsumerGroup.prototype.joinAndSync, wrapped. Why: a hook kafkajs lacks: work that must finish before a consumer joins its group again
 * (Java's onPartitionsRevoked). In kafkajs's eager rebalance a member gives up every
 * partition when it rejoins, and the group completes only once every member has rejoined,
 * so whatever runs here finishes before any partition has a new owner. A backup uses it to
 * make its chunks durable first: the next owner of a partition resumes from the archive.
 *
 * kafkajs has no such callback, so ConsumerGroup.prototype.joinAndSync is wrapped: before
 * every join it emits the consumer's own REBALANCING event with a `beforeJoin` function in
 * the payload, and waits for the work its listeners hand to it.
 */
import { createRequire } from "node:module";
import type { Consumer } from "kafkajs";

const require = createRequire(import.meta.url);

/** Heartbeats while the work runs, so the member is not dropped from the group meanwhile. */
const HEARTBEAT_MS = 1000;

interface ConsumerGroupLike {
  groupId: string;
  memberId: string | null;
  instrumentationEmitter: { emit(event: string, payload: unknown): void };
  heartbeat(options: { interval: number }): Promise<void>;
}

interface BeforeJoinPayload {
  beforeJoin?: (work: Promise<void>) => void;
}

/**
 * Runs `work` (awaited) every time `consumer` is about to join its group, the first join
 * included; the join waits for it. Call before `consumer.run`.
 */
export function beforeEveryJoin(consumer: Consumer, work: () => Promise<void>): void {
  consumer.on(consumer.events.REBALANCING, (event) => {
    (event.payload as BeforeJoinPayload).beforeJoin?.(work());
  });
}

// kafkajs's, set by `install` (patches/install.ts says why).
let REBALANCING = "";
let joinAndSync: (this: ConsumerGroupLike) => Promise<unknown>;

async function joinAndSyncAfterWork(this: ConsumerGroupLike) {
  const work: Promise<void>[] = [];
  this.instrumentationEmitter.emit(REBALANCING, {
    groupId: this.groupId,
    memberId: this.memberId,
    beforeJoin: (promise: Promise<void>) => work.push(promise),
  });
  if (work.length > 0) {
    // A heartbeat during a rebalance is answered REBALANCE_IN_PROGRESS, but it still
    // keeps this member's session alive while the work runs.
    const timer = setInterval(() => this.heartbeat({ interval: 0 }).catch(() => {}), HEARTBEAT_MS);
    try {
      await Promise.all(work);
    } finally {
      clearInterval(timer);
    }
  }
  return joinAndSync.call(this);
}

export function install(): void {
  const ConsumerGroup = require("kafkajs/src/consumer/consumerGroup.js");
  REBALANCING = require("kafkajs/src/consumer/instrumentationEvents.js").events.REBALANCING;
  joinAndSync = ConsumerGroup.prototype.joinAndSync;
  ConsumerGroup.prototype.joinAndSync = joinAndSyncAfterWork;
}
