/**
 * Continuity of a partition's chunks. A hole (offsets no chunk covers) means lost
 * data or an unfinished backup; a gap inside a chunk (offsets Kafka had no record at)
 * is normal. Chunks cover ranges, so the two are never confused.
 */

import type { ChunkIndexEntry } from "./index_entry.ts";

/** Offsets between two chunks that no chunk covers. */
export interface Hole {
  from: number;
  to: number;
  /** Key of the chunk before the hole. */
  after: string;
  /** Key of the chunk after the hole. */
  before: string;
}

/** Offsets that two chunks both cover (e.g. a chunk re-sealed at another position). */
export interface Overlap {
  from: number;
  to: number;
  first: string;
  second: string;
}

/** What {@linkcode checkContinuity} finds. */
export interface Continuity {
  holes: Hole[];
  overlaps: Overlap[];
}

/**
 * Finds holes and overlaps between the chunks of one partition (in any order). Offsets
 * before the first chunk are not a hole: retention may have removed them before the
 * first backup.
 *
 * @example
 * ```ts
 * const { holes } = checkContinuity((await readPartitionIndex(storage, "orders", 0)).entries);
 * if (holes.length > 0) throw new IntegrityError(`hole at ${holes[0].from}-${holes[0].to}`);
 * ```
 */
export function checkContinuity(
  entries: ReadonlyArray<Pick<ChunkIndexEntry, "key" | "from" | "to" | "topic" | "partition">>,
): Continuity {
  const holes: Hole[] = [];
  const overlaps: Overlap[] = [];
  const sorted = [...entries].sort((a, b) => a.from - b.from || a.to - b.to);
  if (sorted.length === 0) return { holes, overlaps };
  const { topic, partition } = sorted[0];
  if (sorted.some((e) => e.topic !== topic || e.partition !== partition)) {
    throw new RangeError("checkContinuity needs the chunks of one partition");
  }
  // `reach` is the chunk that covers furthest so far: a hole or overlap is against it.
  let reach = sorted[0];
  for (const entry of sorted.slice(1)) {
    if (entry.from > reach.to + 1) {
      holes.push({ from: reach.to + 1, to: entry.from - 1, after: reach.key, before: entry.key });
    } else if (entry.from <= reach.to) {
      const to = Math.min(entry.to, reach.to);
      overlaps.push({ from: entry.from, to, first: reach.key, second: entry.key });
    }
    if (entry.to > reach.to) reach = entry;
  }
  return { holes, overlaps };
}
