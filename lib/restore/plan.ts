/**
 * What a restore will do: for each source partition in the archive, its chunks (from the
 * index entries only, no chunk is downloaded), and the target it goes to.
 */
import type { StorageBackend } from "../storage/backend.ts";
import type { ChunkIndexEntry } from "../archive/index_entry.ts";
import { listArchive, readPartitionIndex } from "../archive/store.ts";
import { checkContinuity } from "../archive/continuity.ts";
import { IntegrityError } from "../errors.ts";
import type { RestorationPoint } from "../archive/restoration_point.ts";
import { entriesUpTo, pointEnd } from "./point_plan.ts";

/**
 * The partition's index entries, refusing an archive with a hole (offsets no chunk
 * covers, so a chunk is missing). Overlapping chunks (two backup processes that both
 * stored a range around a rebalance) are allowed: they hold the same records, and the
 * restorer skips every offset below its checkpoint, so none is produced twice.
 */
export async function readContinuousIndex(
  backend: StorageBackend,
  topic: string,
  partition: number,
): Promise<ChunkIndexEntry[]> {
  const { entries } = await readPartitionIndex(backend, topic, partition);
  const { holes } = checkContinuity(entries);
  if (holes.length > 0) {
    const { from, to } = holes[0];
    throw new IntegrityError(
      `Hole in ${backend.location}/${topic}/${partition}: offsets ${from}..${to} are in no chunk ` +
        `(a chunk is missing)`,
    );
  }
  return entries;
}

export interface PartitionPlan {
  sourceTopic: string;
  targetTopic: string;
  partition: number;
  entries: ChunkIndexEntry[];
  /** With a restoration point: one past the last source offset it covers. */
  end?: number;
}

/**
 * Every source partition of the job's topics (limited to `partitions` when given), and
 * with a restoration point only what it covers (a partition it has no chunk of is left out).
 */
export async function planPartitions(
  backend: StorageBackend,
  topics: Array<{ source: string; target: string }>,
  partitions: number[] | undefined,
  point: RestorationPoint | null = null,
): Promise<{ plans: PartitionPlan[]; archivedPartitions: Map<string, number[]> }> {
  const archive = await listArchive(backend);
  const plans: PartitionPlan[] = [];
  const archivedPartitions = new Map<string, number[]>();
  for (const { source, target } of topics) {
    const found = archive.find((t) => t.topic === source);
    if (!found || found.partitions.length === 0) {
      throw new IntegrityError(`No backup of topic "${source}" in ${backend.location}`);
    }
    archivedPartitions.set(source, found.partitions);
    for (const partition of found.partitions) {
      if (partitions && !partitions.includes(partition)) continue;
      let entries = await readContinuousIndex(backend, source, partition);
      const end = point ? pointEnd(point, source, partition) : undefined;
      if (point) {
        entries = entriesUpTo(point, source, partition, entries, end);
        if (entries.length === 0) continue;
      }
      plans.push({
        sourceTopic: source,
        targetTopic: target,
        partition,
        entries,
        ...(typeof end === "number" ? { end } : {}),
      });
    }
  }
  return { plans, archivedPartitions };
}

/** Records a plan will restore, as the index entries count them (before range filters). */
export const plannedRecords = (plan: PartitionPlan): number =>
  plan.entries.reduce((n, e) => n + e.count, 0);
