/**
 * Retention: removes the chunks RETENTION_MS and RETENTION_BYTES let go (retention_plan.ts)
 * in an order no reader can see as a hole and no crash can leave wrong: first a new
 * archive start per topic (archive_start.ts), then per chunk its index entry, sidecar and
 * file, then the restoration points and group snapshots left with nothing to refer to
 * (prune_metadata.ts), last the start objects the new one replaces. A prune killed at any
 * moment is finished by the next: what lies below a recorded start is removed then.
 */
import type { StorageBackend } from "../storage/backend.ts";
import type { Logger } from "../log.ts";
import type { DecryptionKeys } from "../archive/encryption.ts";
import { listArchive, readPartitionIndex } from "../archive/store.ts";
import { indexKeyOf, sidecarKeyOf } from "../archive/keys.ts";
import { readArchiveStarts, writeArchiveStarts } from "../archive/archive_start.ts";
import { mapLimit } from "../util/map_limit.ts";
import {
  type PartitionPrunePlan,
  planPartitionPrune,
  type RetentionPolicy,
} from "./retention_plan.ts";
import { pruneMetadata } from "./prune_metadata.ts";
import { deleteMetaObject } from "../archive/meta_object.ts";

/** Partitions pruned at once. */
const PARTITION_CONCURRENCY = 8;

/** What a prune removed (or, in a dry run, would remove) from one partition. */
export interface PartitionPrune {
  topic: string;
  partition: number;
  chunks: number;
  records: number;
  bytes: number;
  previousStart: number;
  start: number;
}

export interface PruneReport {
  dryRun: boolean;
  /** Partitions with something to remove, by topic then partition. */
  partitions: PartitionPrune[];
  /** Ids of the restoration points removed. */
  points: string[];
  /** Keys of the group snapshots removed. */
  groupSnapshots: string[];
}

export interface PruneOptions {
  dryRun?: boolean;
  nowMs?: number;
  /** The backup's own key, to read its encrypted group snapshots. */
  keys?: DecryptionKeys;
}

/** Applies `policy` once to the archived partitions of `topics` (names, or which to take). */
export async function prune(
  backend: StorageBackend,
  topics: readonly string[] | ((topic: string) => boolean),
  policy: RetentionPolicy,
  logger: Logger,
  options: PruneOptions = {},
): Promise<PruneReport> {
  const nowMs = options.nowMs ?? Date.now();
  const dryRun = options.dryRun === true;
  const takes = typeof topics === "function" ? topics : (t: string) => topics.includes(t);
  const archived = (await listArchive(backend)).filter((t) => takes(t.topic));
  const partitions: PartitionPrune[] = [];
  const starts = new Map<string, Map<number, number>>();
  for (const { topic, partitions: numbers } of archived) {
    const plans = await mapLimit(numbers, PARTITION_CONCURRENCY, async (partition) => ({
      partition,
      plan: planPartitionPrune(await readPartitionIndex(backend, topic, partition), policy, nowMs),
    }));
    starts.set(topic, new Map(plans.map(({ partition, plan }) => [partition, plan.start])));
    if (!dryRun) await pruneTopic(backend, topic, plans, logger);
    for (const { partition, plan } of plans) {
      if (plan.chunks.length > 0) partitions.push(summarize(topic, partition, plan));
    }
  }
  const metadata = await pruneMetadata(backend, starts, { dryRun, keys: options.keys }, logger);
  return { dryRun, partitions, ...metadata };
}

/** The start first, then the chunks, then the start objects the new one replaces. */
async function pruneTopic(
  backend: StorageBackend,
  topic: string,
  plans: Array<{ partition: number; plan: PartitionPrunePlan }>,
  logger: Logger,
): Promise<void> {
  const recorded = await readArchiveStarts(backend, topic);
  const starts = new Map(recorded.starts);
  for (const { partition, plan } of plans) {
    starts.set(partition, Math.max(plan.start, starts.get(partition) ?? 0));
  }
  const moved = [...starts].some(([p, start]) => start > (recorded.starts.get(p) ?? 0));
  if (moved) await writeArchiveStarts(backend, topic, starts);
  await mapLimit(plans, PARTITION_CONCURRENCY, async ({ partition, plan }) => {
    for (const chunk of [...plan.chunks.map((e) => e.key), ...plan.leftovers]) {
      await removeChunk(backend, chunk);
    }
    if (plan.chunks.length > 0) {
      const { records, bytes, start } = summarize(topic, partition, plan);
      logger.info(
        `pruned ${topic}/${partition}: ${plan.chunks.length} chunk(s), ${records} records, ` +
          `${bytes} bytes; the archive now starts at offset ${start}`,
      );
    }
  });
  if (!moved) return;
  for (const key of recorded.keys) await deleteMetaObject(backend, key);
}

/** Index entry first (the chunk leaves the archive), then sidecar, then the file. */
async function removeChunk(backend: StorageBackend, chunk: string): Promise<void> {
  await backend.delete(indexKeyOf(chunk));
  await backend.delete(sidecarKeyOf(chunk));
  await backend.delete(chunk);
}

function summarize(topic: string, partition: number, plan: PartitionPrunePlan): PartitionPrune {
  return {
    topic,
    partition,
    chunks: plan.chunks.length,
    records: plan.chunks.reduce((n, e) => n + e.count, 0),
    bytes: plan.chunks.reduce((n, e) => n + e.bytes, 0),
    previousStart: plan.previousStart,
    start: plan.start,
  };
}
