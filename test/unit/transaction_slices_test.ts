import assert from "node:assert/strict";
import { transactionSlices } from "../../lib/restore/transaction_slices.ts";
import { recordSize } from "../../lib/restore/record_size.ts";
import type { ArchivedRecord } from "../../lib/archive/record.ts";

const records = (n: number, valueBytes = 100): ArchivedRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    offset: i,
    timestamp: 0,
    key: null,
    value: new Uint8Array(valueBytes),
    headers: [],
  }));

Deno.test("transactions close at the byte limit when no record limit is set", () => {
  const rs = records(10);
  const size = recordSize(rs[0]);
  assert.deepEqual(transactionSlices(rs, { maxBytes: size * 4 }), [[0, 4], [4, 8], [8, 10]]);
});

Deno.test("RECORDS_PER_TRANSACTION bounds a transaction below the byte limit", () => {
  assert.deepEqual(
    transactionSlices(records(7), { maxRecords: 3, maxBytes: 1 << 30 }),
    [[0, 3], [3, 6], [6, 7]],
  );
});

Deno.test("a record larger than the byte limit is a transaction of its own", () => {
  const rs = [...records(1, 10), ...records(1, 5000), ...records(1, 10)];
  assert.deepEqual(transactionSlices(rs, { maxBytes: 1000 }), [[0, 2], [2, 3]]);
});

Deno.test("no records give no transactions", () => {
  assert.deepEqual(transactionSlices([], { maxRecords: 5, maxBytes: 100 }), []);
});
