/**
 * LATEST_PER_KEY's first pass: which records of one source partition's restore range a
 * latest-per-key restore writes. Every keyed record of the range is spilled to bucket
 * files by key (key_buckets.ts); each bucket is then reduced alone to its keys' last
 * offsets, which go into an offset bitmap (offset_set.ts). The produce pass keeps a
 * keyed record only when its offset is in the set; records without a key are all kept.
 *
 * Deterministic: the same archive, range and filters give the same set, so a resumed
 * restore, which starts this pass at its checkpoint, keeps exactly the records past the
 * checkpoint that the first run would have kept (a key's last offset is the same in any
 * range that ends at the same offset and contains it).
 */
import type { StorageBackend } from "../storage/backend.ts";
import type { ChunkIndexEntry } from "../archive/index_entry.ts";
import type { ArchivedRecord } from "../archive/record.ts";
import type { DecryptionKeys } from "../archive/encryption.ts";
import {
  decodeVerifiedChunk,
  fetchVerifiedChunk,
  prunedSinceRead,
  type VerifiedChunkFile,
} from "../archive/store.ts";
import type { ByteBudget } from "../util/byte_budget.ts";
import { BucketWriter, encodeEntry, entryOffset, reduceBucket } from "./key_buckets.ts";
import { OffsetSet } from "./offset_set.ts";
import { type RecordFilter, recordsToRestore } from "./partition_plan.ts";

/**
 * Records per bucket (as the index entries count them): a bucket of this many short keys
 * reduces in about 30 MiB (docs/compacted-topics.md has the measurements).
 */
export const RECORDS_PER_BUCKET = 250_000;
const MAX_BUCKETS = 4096;

export interface KeepSetRange {
  /** The chunks of the range, in offset order (overlapping ones allowed). */
  entries: readonly ChunkIndexEntry[];
  /** First source offset of the range: the checkpoint, or where the restore starts. */
  start: number;
  /** Last source offset of the range (inclusive), pinned by the first run. */
  last: number;
  filter: RecordFilter;
  keepTombstones: boolean;
}

export interface KeepSetOptions {
  keys?: DecryptionKeys;
  /** The Worker's chunk budget: the first pass holds one chunk of it at a time. */
  budget?: ByteBudget;
  /** Where the bucket directory goes; default the system temp dir (TMPDIR). */
  tempDir?: string;
  /** Default RECORDS_PER_BUCKET (tests and the benchmark change it). */
  recordsPerBucket?: number;
}

export interface KeepSet {
  /** Offsets of the keyed records to restore. */
  offsets: OffsetSet;
  /** Records in the range: what a full restore of it writes. */
  inRange: number;
  /** Records a latest-per-key restore of it writes (keyed ones kept, and every null key). */
  kept: number;
}

/** Whether the produce pass writes `record` (one of the range). */
export const keeps = (set: KeepSet, record: ArchivedRecord): boolean =>
  record.key === null || set.offsets.has(record.offset);

// One first pass at a time per Worker (its partitions run concurrently): memory is one
// bucket's, not one per partition.
let queue: Promise<unknown> = Promise.resolve();

/** Builds the keep set of one partition's range (see the module comment). */
export function buildKeepSet(
  backend: StorageBackend,
  range: KeepSetRange,
  options: KeepSetOptions = {},
): Promise<KeepSet> {
  const run = queue.then(() => buildNow(backend, range, options));
  queue = run.catch(() => {});
  return run;
}

async function buildNow(
  backend: StorageBackend,
  range: KeepSetRange,
  options: KeepSetOptions,
): Promise<KeepSet> {
  const total = range.entries.reduce((n, e) => n + e.count, 0);
  const perBucket = options.recordsPerBucket ?? RECORDS_PER_BUCKET;
  const count = Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(total / perBucket)));
  const dir = await Deno.makeTempDir({
    dir: options.tempDir,
    prefix: "kafka-backup-latest-per-key-",
  });
  try {
    const writer = new BucketWriter(dir, count);
    const { inRange, nullKeys } = await spill(backend, range, options, writer);
    const offsets = new OffsetSet();
    for (let bucket = 0; bucket < count; bucket++) {
      for (const entry of (await reduceBucket(writer.path(bucket))).values()) {
        if (entry >= 0 || range.keepTombstones) offsets.add(entryOffset(entry));
      }
      await Deno.remove(writer.path(bucket)).catch(() => {});
    }
    return { offsets, inRange, kept: offsets.size + nullKeys };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Reads the range's chunks once, writing each keyed record's key and offset to its bucket. */
async function spill(
  backend: StorageBackend,
  range: KeepSetRange,
  options: KeepSetOptions,
  writer: BucketWriter,
): Promise<{ inRange: number; nullKeys: number }> {
  let inRange = 0;
  let nullKeys = 0;
  // Overlapping chunks hold the same records: each offset is counted once.
  let next = range.start;
  for (const entry of range.entries) {
    if (entry.to < next) continue;
    const free = await options.budget?.reserve(entry.bytes + entry.uncompressedBytes);
    try {
      const file = await fetchUnlessPruned(backend, entry, options.keys);
      if (file === null) continue; // its records are gone by policy, for the second pass too
      const { records } = decodeVerifiedChunk(file);
      for (const r of recordsToRestore(records, next, range.filter, range.last)) {
        inRange++;
        if (r.key === null) {
          nullKeys++;
          continue;
        }
        const flushing = writer.add(r.key, encodeEntry(r.offset, r.value === null));
        if (flushing) await flushing;
      }
    } finally {
      free?.();
      next = entry.to + 1;
    }
  }
  await writer.close();
  return { inRange, nullKeys };
}

/** The chunk's verified file, or null when retention pruned it since its entry was read. */
async function fetchUnlessPruned(
  backend: StorageBackend,
  entry: ChunkIndexEntry,
  keys: DecryptionKeys | undefined,
): Promise<VerifiedChunkFile | null> {
  try {
    return await fetchVerifiedChunk(backend, entry, keys);
  } catch (error) {
    if (await prunedSinceRead(backend, entry, error) !== null) return null;
    throw error;
  }
}
