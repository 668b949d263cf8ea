/**
 * What one source partition's restore does, as plain functions over index entries and
 * records: which chunks are still to restore after the checkpoint, which records of a
 * chunk, and the transactions they go into, each with the checkpoint it moves to. The
 * restorer (restore_partition.ts) does the I/O.
 */
import type { ChunkIndexEntry } from "../archive/index_entry.ts";
import type { ArchivedRecord } from "../archive/record.ts";
import { type TransactionLimits, transactionSlices } from "./transaction_slices.ts";

/** Inclusive offset and timestamp bounds of a restore. */
export interface RecordFilter {
  startOffset?: number;
  endOffset?: number;
  startTimestamp?: number;
  endTimestamp?: number;
}

/** The chunks past the checkpoint `next` (null: none yet) that start at or before `last`. */
export function entriesToRestore(
  entries: readonly ChunkIndexEntry[],
  next: number | null,
  last: number | undefined,
): ChunkIndexEntry[] {
  return entries.filter((e) =>
    (next === null || e.to >= next) && (last === undefined || e.from <= last)
  );
}

/** The records of a chunk to produce: from `start` on, inside the filter, up to `last`. */
export function recordsToRestore(
  records: readonly ArchivedRecord[],
  start: number,
  filter: RecordFilter,
  last: number | undefined,
): ArchivedRecord[] {
  return records.filter((r) =>
    r.offset >= start &&
    (filter.startOffset === undefined || r.offset >= filter.startOffset) &&
    (filter.endOffset === undefined || r.offset <= filter.endOffset) &&
    (filter.startTimestamp === undefined || r.timestamp >= filter.startTimestamp) &&
    (filter.endTimestamp === undefined || r.timestamp <= filter.endTimestamp) &&
    (last === undefined || r.offset <= last)
  );
}

/** One transaction of a chunk: its records and the checkpoint it moves to. */
export interface PlannedTransaction {
  records: ArchivedRecord[];
  next: number;
}

/**
 * The transactions that restore `records` of `entry`: cut by `limits`, each moving the
 * checkpoint one past its last record, the last one past the whole chunk. A chunk with
 * nothing to produce still moves the checkpoint past itself, unless it already is.
 */
export function chunkTransactions(
  entry: ChunkIndexEntry,
  records: ArchivedRecord[],
  limits: TransactionLimits,
  checkpoint: number | null,
): PlannedTransaction[] {
  const slices = transactionSlices(records, limits);
  if (slices.length === 0) {
    return checkpoint === null || entry.to + 1 > checkpoint
      ? [{ records: [], next: entry.to + 1 }]
      : [];
  }
  return slices.map(([from, to], i) => {
    const slice = records.slice(from, to);
    const next = i === slices.length - 1 ? entry.to + 1 : slice[slice.length - 1].offset + 1;
    return { records: slice, next };
  });
}
