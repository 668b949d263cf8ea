import assert from "node:assert/strict";
import { LocalBackend } from "../../lib/storage/local.ts";
import { encodeChunk } from "../../lib/archive/chunk_encode.ts";
import { MissingChunkError, storeChunk } from "../../lib/archive/store.ts";
import { writeArchiveStarts } from "../../lib/archive/archive_start.ts";
import type { ArchivedRecord } from "../../lib/archive/record.ts";
import type { ChunkIndexEntry } from "../../lib/archive/index_entry.ts";
import { buildKeepSet, keeps, type KeepSetRange } from "../../lib/restore/keep_set.ts";
import { recordsToRestore } from "../../lib/restore/partition_plan.ts";
import { OffsetSet } from "../../lib/restore/offset_set.ts";

/** A deterministic pseudo-random sequence (xorshift), so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Keys meant to trip a text-based index: bytes 0x80-0x9f, long keys, the empty key. */
function keyOf(n: number): Uint8Array {
  if (n % 7 === 0) return Uint8Array.of(0x80 + (n % 32), n & 0xff, n >> 8);
  if (n % 11 === 0) return new TextEncoder().encode(`long-${n}-`.repeat(12));
  if (n === 1) return new Uint8Array(0);
  return new TextEncoder().encode(`k${n}`);
}

/** Records with gaps (as compaction leaves), tombstones and null keys. */
function dataset(count: number, keys: number, seed: number): ArchivedRecord[] {
  const next = random(seed);
  const records: ArchivedRecord[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    offset += next() < 0.1 ? 3 : 1;
    const r = next();
    records.push({
      offset,
      timestamp: 1_000 + offset,
      key: r < 0.05 ? null : keyOf(Math.floor(next() * keys)),
      value: r > 0.85 ? null : new TextEncoder().encode(`v${offset}`),
      headers: [],
    });
  }
  return records;
}

/** Stores `records` in chunks of `size`, plus one chunk that overlaps its neighbours. */
async function archive(records: ArchivedRecord[], size: number) {
  const root = await Deno.makeTempDir();
  const backend = new LocalBackend(root);
  const entries: ChunkIndexEntry[] = [];
  const meta = {
    topic: "t",
    partition: 0,
    timestampType: "CreateTime" as const,
    codec: "zstd" as const,
  };
  for (let i = 0; i < records.length; i += size) {
    const slice = records.slice(i, i + size);
    const from = i === 0 ? 0 : records[i - 1].offset + 1;
    const chunk = await encodeChunk({ ...meta, from, to: slice.at(-1)!.offset }, slice);
    await storeChunk(backend, chunk);
    entries.push(chunk.entry);
  }
  // Two backup processes around a rebalance stored the same records twice.
  const again = records.slice(size / 2, size * 2);
  const overlap = await encodeChunk(
    { ...meta, from: again[0].offset, to: again.at(-1)!.offset },
    again,
  );
  entries.splice(2, 0, overlap.entry);
  entries.sort((a, b) => a.from - b.from);
  await storeChunk(backend, overlap);
  return { backend, entries };
}

/** The same answer computed the obvious way: a Map over every record in memory. */
function expected(records: ArchivedRecord[], range: KeepSetRange): number[] {
  const inRange = recordsToRestore(records, range.start, range.filter, range.last);
  const last = new Map<string, ArchivedRecord>();
  for (const r of inRange) if (r.key !== null) last.set(r.key.join(","), r);
  const keyed = [...last.values()].filter((r) => r.value !== null || range.keepTombstones);
  const kept = new Set([...keyed.map((r) => r.offset)]);
  return inRange.filter((r) => r.key === null || kept.has(r.offset)).map((r) => r.offset);
}

async function check(
  records: ArchivedRecord[],
  range: Omit<KeepSetRange, "entries">,
  perBucket: number,
) {
  const { backend, entries } = await archive(records, 500);
  const tempDir = await Deno.makeTempDir();
  const full = { ...range, entries };
  const set = await buildKeepSet(backend, full, { tempDir, recordsPerBucket: perBucket });
  const got = recordsToRestore(records, range.start, range.filter, range.last)
    .filter((r) => keeps(set, r)).map((r) => r.offset);
  const want = expected(records, full);
  assert.deepEqual(got, want);
  assert.equal(set.kept, want.length);
  assert.equal(
    set.inRange,
    recordsToRestore(records, range.start, range.filter, range.last).length,
  );
  assert.deepEqual([...Deno.readDirSync(tempDir)], [], "the bucket files were left behind");
  return set;
}

const all = { start: 0, last: Number.MAX_SAFE_INTEGER, filter: {}, keepTombstones: false };

Deno.test("the keep set is each key's last record, tombstoned keys left out, every null key kept", async () => {
  const records = dataset(6_000, 900, 1);
  // One bucket (every key compared by bytes in one Map) and many (keys spread by hash).
  for (const perBucket of [1_000_000, 400]) {
    const set = await check(records, all, perBucket);
    assert.ok(set.kept < set.inRange / 2, `kept ${set.kept} of ${set.inRange}`);
  }
});

Deno.test("with KEEP_TOMBSTONES a key whose last record is a tombstone keeps that tombstone", async () => {
  const records = dataset(4_000, 300, 2);
  const set = await check(records, { ...all, keepTombstones: true }, 500);
  const without = await check(records, all, 500);
  assert.ok(set.kept > without.kept);
});

Deno.test("the keep set covers the restore range only: offsets, times, a resumed run's checkpoint", async () => {
  const records = dataset(5_000, 400, 3);
  await check(records, { ...all, filter: { startOffset: 700, endOffset: 4_000 } }, 600);
  await check(records, { ...all, filter: { startTimestamp: 2_000, endTimestamp: 4_500 } }, 600);
  await check(records, { ...all, last: 3_000 }, 600);
  // A run resumed at a checkpoint keeps, past it, exactly what the first run would have.
  const first = expected(records, { ...all, entries: [] });
  for (const checkpoint of [1, 1_234, 5_432]) {
    const resumed = await check(records, { ...all, start: checkpoint }, 600);
    assert.deepEqual(
      records.filter((r) => r.offset >= checkpoint && keeps(resumed, r)).map((r) => r.offset),
      first.filter((o) => o >= checkpoint),
    );
  }
});

Deno.test("an offset set holds far-apart offsets in pages and counts each once", () => {
  const set = new OffsetSet();
  for (const o of [0, 7, 7, 65_535, 65_536, 2 ** 40 + 3]) set.add(o);
  assert.equal(set.size, 5);
  assert.deepEqual([0, 7, 8, 65_535, 65_536, 2 ** 40 + 3, 2 ** 40].map((o) => set.has(o)), [
    true,
    true,
    false,
    true,
    true,
    true,
    false,
  ]);
  assert.equal(set.bytes, 3 * 8192);
});

Deno.test("the keep set skips a chunk retention pruned after its entry was read, and fails on a lost one", async () => {
  const records = dataset(3000, 400, 9);
  const { backend, entries } = await archive(records, 500);
  const tempDir = await Deno.makeTempDir();
  const range = { ...all, entries };
  // A prune ran between reading the index and the first pass: the oldest chunk is gone
  // and the partition's archive now starts after it.
  const pruned = entries[0];
  await writeArchiveStarts(backend, "t", new Map([[0, pruned.to + 1]]));
  await backend.delete(pruned.key);
  const set = await buildKeepSet(backend, range, { tempDir });
  const remaining = records.filter((r) => r.offset > pruned.to);
  const want = expected(remaining, range);
  assert.deepEqual(remaining.filter((r) => keeps(set, r)).map((r) => r.offset), want);
  assert.equal(set.kept, want.length);
  // A chunk missing above the archive start was lost, not pruned: the pass says so.
  await backend.delete(entries.at(-1)!.key);
  await assert.rejects(buildKeepSet(backend, range, { tempDir }), MissingChunkError);
});
