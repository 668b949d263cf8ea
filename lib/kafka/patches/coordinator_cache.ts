/**
 * Replaces: kafkajs's FindCoordinator round trip before every request to a group or
 * transaction coordinator. Why: a transaction asks for its coordinator four times (add
 * partitions, add offsets, the offset commit's group, end), each a round trip to a busy
 * broker (7-8 ms each on the 2-core test machine, a third of a 1 MiB transaction).
 * Lookups are kept for COORDINATOR_TTL_MS, and every cached lookup of the process is
 * dropped as soon as a broker request fails in a way a moved coordinator fails it (it
 * answers NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE, or the connection breaks), so
 * kafkajs's own retry looks the coordinator up again.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;

const COORDINATOR_TTL_MS = 60_000;

interface Cached {
  metadata: unknown;
  at: number;
  epoch: number;
}

/** Protocol errors of a coordinator that moved or is not there (kafkajs's names). */
const MOVED = new Set(["NOT_COORDINATOR_FOR_GROUP", "GROUP_COORDINATOR_NOT_AVAILABLE"]);

/** A connection failure, or a protocol error saying the coordinator is elsewhere. */
function coordinatorMayHaveMoved(error: unknown): boolean {
  const { name, type } = error as { name?: string; type?: string };
  return name !== "KafkaJSProtocolError" || MOVED.has(type ?? "");
}

/** Bumped by such failures: lookups cached before it are not trusted. */
let epoch = 0;
const caches = new WeakMap<object, Map<string, Cached>>();

// kafkajs's, set by `install` (patches/install.ts says why).
let lookup: Any;
let send: Any;
async function cachedLookup(
  this: object,
  args: { groupId: string; coordinatorType?: number },
) {
  const cache = caches.get(this) ?? new Map<string, Cached>();
  caches.set(this, cache);
  const key = `${args.coordinatorType ?? 0}:${args.groupId}`;
  const hit = cache.get(key);
  if (hit && hit.epoch === epoch && Date.now() - hit.at < COORDINATOR_TTL_MS) return hit.metadata;
  const askedAt = epoch;
  const metadata = await lookup.call(this, args);
  cache.set(key, { metadata, at: Date.now(), epoch: askedAt });
  return metadata;
}

async function sendNoticingMoves(this: object, ...args: unknown[]) {
  try {
    return await send.apply(this, args);
  } catch (error) {
    if (coordinatorMayHaveMoved(error)) epoch++;
    throw error;
  }
}

export function install(): void {
  const Cluster: Any = require("kafkajs/src/cluster/index.js");
  const Broker: Any = require("kafkajs/src/broker/index.js");
  const sendRequest = Object.getOwnPropertySymbols(Broker.prototype).find((s) =>
    s.description === "private:Broker:sendRequest"
  );
  if (sendRequest === undefined) throw new Error("kafkajs Broker has no sendRequest to wrap");
  lookup = Cluster.prototype.findGroupCoordinatorMetadata;
  send = Broker.prototype[sendRequest];
  Cluster.prototype.findGroupCoordinatorMetadata = cachedLookup;
  Broker.prototype[sendRequest] = sendNoticingMoves;
}
