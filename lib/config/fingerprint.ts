/**
 * A restore job's identity: WHAT is restored, not how. Processes that split one restore
 * by PARTITIONS, or run it with other threads, log level, run mode or retry timing,
 * share the fingerprint and so share their progress records.
 */
import { createHash } from "node:crypto";
import type { PointSpec } from "../archive/restoration_point.ts";
import type { GroupSelection } from "./kafka_values.ts";
import { type StorageConfig, storageKindOf } from "../storage/registry.ts";

/** The members of a restore job that make its identity (a RestoreJob has them all). */
export interface RestoreIdentity {
  topics: readonly { source: string; target: string }[];
  strategy: string;
  startOffset?: number;
  endOffset?: number;
  startTimestamp?: number;
  endTimestamp?: number;
  storage: StorageConfig;
  restorationPoint?: PointSpec;
  restoreConsumerGroups?: GroupSelection;
  consumerGroupMap?: Record<string, string>;
  latestPerKey?: { keepTombstones: boolean };
}

// Bump when the meaning of a field changes, so old progress records are not reused by mistake.
const FINGERPRINT_VERSION = 1;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** JSON with object keys sorted at every level, so key order never changes the text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) =>
      compare(a, b)
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * sha256 (hex) of the canonical JSON of the topic pairs (order-independent), partition
 * strategy, offset and timestamp bounds, and archive location of `job`.
 */
export function jobFingerprint(job: RestoreIdentity): string {
  const topics = [...job.topics]
    // Code-unit order, not localeCompare: the result must not depend on the machine's locale.
    .sort((a, b) => compare(a.source, b.source) || compare(a.target, b.target))
    .map(({ source, target }) => ({ source, target }));
  const identity = {
    version: FINGERPRINT_VERSION,
    topics,
    strategy: job.strategy,
    startOffset: job.startOffset ?? null,
    endOffset: job.endOffset ?? null,
    startTimestamp: job.startTimestamp ?? null,
    endTimestamp: job.endTimestamp ?? null,
    // Asked of the backend: only where the archive is, not how it is reached.
    storage: storageKindOf(job.storage).location(job.storage),
    // Absent (so leaving old fingerprints as they were) unless the job sets them.
    restorationPoint: job.restorationPoint,
    consumerGroups: job.restoreConsumerGroups === undefined ? undefined : {
      groups: job.restoreConsumerGroups === "*" ? "*" : [...job.restoreConsumerGroups].sort(),
      map: job.consumerGroupMap ?? {},
    },
    latestPerKey: job.latestPerKey,
  };
  return createHash("sha256").update(canonicalJson(identity)).digest("hex");
}
