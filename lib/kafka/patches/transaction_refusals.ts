/**
 * Replaces: kafkajs turning a transactional id the user may not use into "Failed to find
 * group coordinator". Why: its coordinator lookup asks each broker in turn and drops every
 * error, so TRANSACTIONAL_ID_AUTHORIZATION_FAILED came out as a retriable "not found" that
 * a restore retried for half a minute before it stopped, without naming the refusal. Here
 * the refusal a broker gave is thrown instead: kafkajs's own error, which is final.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;

const REFUSED = "TRANSACTIONAL_ID_AUTHORIZATION_FAILED";

/** The refusal a broker last gave for each transactional id, until its lookup ends. */
const refusals = new Map<string, unknown>();

let brokerLookup: Any;
let clusterLookup: Any;

async function brokerLookupNoticingRefusals(
  this: object,
  args: { groupId: string; coordinatorType?: number },
) {
  try {
    return await brokerLookup.call(this, args);
  } catch (error) {
    if ((error as { type?: string }).type === REFUSED) refusals.set(args.groupId, error);
    throw error;
  }
}

async function clusterLookupNamingRefusals(
  this: object,
  args: { groupId: string; coordinatorType?: number },
) {
  try {
    return await clusterLookup.call(this, args);
  } catch (error) {
    throw refusals.get(args.groupId) ?? error;
  } finally {
    refusals.delete(args.groupId);
  }
}

export function install(): void {
  const Cluster: Any = require("kafkajs/src/cluster/index.js");
  const Broker: Any = require("kafkajs/src/broker/index.js");
  brokerLookup = Broker.prototype.findGroupCoordinator;
  clusterLookup = Cluster.prototype.findGroupCoordinatorMetadata;
  Broker.prototype.findGroupCoordinator = brokerLookupNoticingRefusals;
  Cluster.prototype.findGroupCoordinatorMetadata = clusterLookupNamingRefusals;
}
