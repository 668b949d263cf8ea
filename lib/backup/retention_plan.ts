/**
 * Which chunks retention removes from one partition (RETENTION_MS, RETENTION_BYTES), as a
 * plain function over its index: only whole chunks at its start, oldest first, never past
 * a hole, never its newest chunk (the backup resumes from where that ends, as Kafka never
 * deletes a log's active segment).
 */
import type { ChunkIndexEntry } from "../archive/index_entry.ts";
import type { PartitionIndex } from "../archive/store.ts";
import type { RetentionPolicy } from "../config/retention_config.ts";

export type { RetentionPolicy };

/** What a prune removes from one partition. */
export interface PartitionPrunePlan {
  /** Chunks to remove, oldest first. */
  chunks: ChunkIndexEntry[];
  /** Chunks an earlier, interrupted prune left below the start: their keys, to remove. */
  leftovers: string[];
  /** The partition's archive start before the prune. */
  previousStart: number;
  /** The partition's archive start after it. */
  start: number;
}

/** When a chunk's data was last written: its newest record, or for an empty chunk its creation. */
const chunkTime = (e: ChunkIndexEntry): number => e.maxTimestamp ?? Date.parse(e.createdAt);

/** The prune of one partition under `policy` at `nowMs`. */
export function planPartitionPrune(
  index: Pick<PartitionIndex, "entries" | "start" | "pruned">,
  policy: RetentionPolicy,
  nowMs: number,
): PartitionPrunePlan {
  const { entries, start: previousStart } = index;
  const newest = entries.reduce<ChunkIndexEntry | null>(
    (best, e) => (best === null || e.to > best.to ? e : best),
    null,
  );
  let bytes = entries.reduce((n, e) => n + e.bytes, 0);
  let reach = -1; // the highest offset the chunks removed so far cover
  const removed = new Set<ChunkIndexEntry>();
  for (const entry of entries) {
    if (entry === newest) break;
    if (removed.size > 0 && entry.from > reach + 1) break; // a hole: keep what shows it
    const expired = policy.retentionMs !== undefined &&
      chunkTime(entry) < nowMs - policy.retentionMs;
    const oversize = policy.retentionBytes !== undefined &&
      bytes - entry.bytes >= policy.retentionBytes;
    if (!expired && !oversize) break;
    removed.add(entry);
    bytes -= entry.bytes;
    reach = Math.max(reach, entry.to);
  }
  const start = Math.max(previousStart, reach + 1);
  // A chunk inside the removed range (overlapping ones) ends below the new start too.
  const chunks = entries.filter((e) => removed.has(e) || (e !== newest && e.to < start));
  return { chunks, leftovers: [...index.pruned], previousStart, start };
}
