import assert from "node:assert/strict";
import { planPartitionPrune } from "../../lib/backup/retention_plan.ts";
import type { ChunkIndexEntry } from "../../lib/archive/index_entry.ts";
import { chunkKey } from "../../lib/archive/keys.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 2);

/** An index entry of 1,000 bytes whose newest record is `ageDays` old. */
function entry(from: number, to: number, ageDays: number, bytes = 1000): ChunkIndexEntry {
  return {
    formatVersion: 1,
    key: chunkKey("orders", 0, from, to),
    topic: "orders",
    partition: 0,
    from,
    to,
    firstOffset: from,
    lastOffset: to,
    count: to - from + 1,
    minTimestamp: NOW - ageDays * DAY - 1000,
    maxTimestamp: NOW - ageDays * DAY,
    timestampType: "CreateTime",
    codec: "zstd",
    bytes,
    uncompressedBytes: bytes * 2,
    sha256: "0".repeat(64),
    gaps: [],
    createdAt: new Date(NOW).toISOString(),
  } as ChunkIndexEntry;
}

const plan = (entries: ChunkIndexEntry[], policy: object, start = 0) =>
  planPartitionPrune({ entries, start, pruned: [] }, policy, NOW);
const ranges = (p: ReturnType<typeof plan>) => p.chunks.map((e) => `${e.from}-${e.to}`);

Deno.test("RETENTION_MS removes the oldest chunks whose newest record is older than the limit", () => {
  const p = plan([entry(0, 9, 9), entry(10, 19, 8), entry(20, 29, 2), entry(30, 39, 1)], {
    retentionMs: 7 * DAY,
  });
  assert.deepEqual(ranges(p), ["0-9", "10-19"]);
  assert.equal(p.start, 20);
  assert.equal(p.previousStart, 0);
});

Deno.test("only a prefix goes: an expired chunk after a young one stays", () => {
  const p = plan([entry(0, 9, 9), entry(10, 19, 1), entry(20, 29, 9), entry(30, 39, 0)], {
    retentionMs: 7 * DAY,
  });
  assert.deepEqual(ranges(p), ["0-9"]);
  assert.equal(p.start, 10);
});

Deno.test("the newest chunk is never removed, however old", () => {
  const p = plan([entry(0, 9, 30), entry(10, 19, 20)], { retentionMs: DAY });
  assert.deepEqual(ranges(p), ["0-9"]);
  assert.equal(p.start, 10);
  assert.deepEqual(ranges(plan([entry(0, 9, 30)], { retentionMs: DAY })), []);
});

Deno.test("RETENTION_BYTES removes oldest chunks while the rest still hold the limit", () => {
  const entries = [entry(0, 9, 0), entry(10, 19, 0), entry(20, 29, 0), entry(30, 39, 0)];
  assert.deepEqual(ranges(plan(entries, { retentionBytes: 2000 })), ["0-9", "10-19"]);
  assert.deepEqual(ranges(plan(entries, { retentionBytes: 2001 })), ["0-9"]);
  assert.deepEqual(ranges(plan(entries, { retentionBytes: 4000 })), []);
});

Deno.test("a prune never goes past a hole", () => {
  const p = plan([entry(0, 9, 9), entry(20, 29, 9), entry(30, 39, 0)], { retentionMs: DAY });
  assert.deepEqual(ranges(p), ["0-9"]);
  assert.equal(p.start, 10);
});

Deno.test("a chunk inside the removed range goes with it, and the start never moves back", () => {
  // 5-8 lies inside 0-9 (two backup processes around a rebalance); it is young but pruned.
  const p = plan([entry(0, 9, 9), entry(5, 8, 0), entry(10, 19, 0)], { retentionMs: DAY }, 3);
  assert.deepEqual(ranges(p), ["0-9", "5-8"]);
  assert.equal(p.start, 10);
  assert.equal(plan([entry(10, 19, 0), entry(20, 29, 0)], { retentionMs: DAY }, 10).start, 10);
});

Deno.test("an empty chunk's age is its creation time", () => {
  const empty = { ...entry(0, 9, 0), count: 0, maxTimestamp: null, minTimestamp: null };
  empty.createdAt = new Date(NOW - 10 * DAY).toISOString();
  assert.deepEqual(ranges(plan([empty, entry(10, 19, 0)], { retentionMs: DAY })), ["0-9"]);
});

Deno.test("without a limit nothing goes", () => {
  assert.deepEqual(ranges(plan([entry(0, 9, 99), entry(10, 19, 99)], {})), []);
});
