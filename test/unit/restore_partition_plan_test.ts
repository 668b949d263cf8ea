import assert from "node:assert/strict";
import {
  chunkTransactions,
  entriesToRestore,
  recordsToRestore,
} from "../../lib/restore/partition_plan.ts";
import type { ChunkIndexEntry } from "../../lib/archive/index_entry.ts";
import type { ArchivedRecord } from "../../lib/archive/record.ts";

const entry = (from: number, to: number) => ({ from, to } as ChunkIndexEntry);
const records = (...offsets: number[]): ArchivedRecord[] =>
  offsets.map((offset) => ({
    offset,
    timestamp: offset * 10,
    key: null,
    value: null,
    headers: [],
  }));

Deno.test("chunks to restore: those reaching past the checkpoint and starting by the last offset", () => {
  const entries = [entry(0, 9), entry(10, 19), entry(20, 29)];
  assert.deepEqual(entriesToRestore(entries, null, undefined), entries);
  assert.deepEqual(entriesToRestore(entries, 15, undefined), entries.slice(1));
  assert.deepEqual(entriesToRestore(entries, 15, 19), [entries[1]]);
  assert.deepEqual(entriesToRestore(entries, 30, undefined), []);
});

Deno.test("records of a chunk: from the checkpoint on, within offset and time bounds and the point", () => {
  const rs = records(10, 11, 12, 13, 14);
  const offsets = (list: ArchivedRecord[]) => list.map((r) => r.offset);
  assert.deepEqual(offsets(recordsToRestore(rs, 12, {}, undefined)), [12, 13, 14]);
  assert.deepEqual(
    offsets(recordsToRestore(rs, 0, { startTimestamp: 110, endOffset: 13 }, undefined)),
    [11, 12, 13],
  );
  assert.deepEqual(offsets(recordsToRestore(rs, 0, {}, 12)), [10, 11, 12]);
});

Deno.test("a chunk's transactions move the checkpoint after each, the last past the whole chunk", () => {
  const planned = chunkTransactions(entry(10, 29), records(10, 11, 15), {
    maxRecords: 2,
    maxBytes: 1 << 20,
  }, 10);
  assert.deepEqual(planned.map((t) => [t.records.map((r) => r.offset), t.next]), [[[10, 11], 12], [[
    15,
  ], 30]]);
});

Deno.test("a chunk with nothing to produce moves the checkpoint past it once, and not back", () => {
  const limits = { maxBytes: 1 << 20 };
  assert.deepEqual(chunkTransactions(entry(0, 9), [], limits, null), [{ records: [], next: 10 }]);
  assert.deepEqual(chunkTransactions(entry(0, 9), [], limits, 5), [{ records: [], next: 10 }]);
  assert.deepEqual(chunkTransactions(entry(0, 9), [], limits, 10), []);
});
