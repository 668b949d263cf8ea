import assert from "node:assert/strict";
import { cborInt, encodeCborTransient } from "../../lib/archive/format.ts";
import { encodeRecordRows } from "../../lib/archive/record_cbor.ts";
import type { ArchivedRecord } from "../../lib/archive/record.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** What cbor-x writes for the same rows (a definite array, whose head is dropped). */
function withCborX(records: ArchivedRecord[]): Uint8Array {
  const rows = records.map((
    r,
  ) => [cborInt(r.offset), cborInt(r.timestamp), r.key, r.value, r.headers]);
  const encoded = Uint8Array.from(encodeCborTransient(rows));
  const head = encoded[0] & 0x1f;
  return encoded.subarray(head < 24 ? 1 : 1 + (1 << (head - 24)));
}

const INTS = [
  0,
  1,
  23,
  24,
  255,
  256,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  -1,
  -24,
  -25,
  -256,
  -257,
  -65536,
  -65537,
  -(2 ** 31),
  -(2 ** 31) - 1,
  Number.MIN_SAFE_INTEGER,
];

Deno.test("record rows are byte for byte what cbor-x writes, for every integer size", () => {
  const records: ArchivedRecord[] = INTS.map((n, i) => ({
    offset: Math.abs(n),
    timestamp: n,
    key: i % 3 === 0 ? null : new Uint8Array(i * 7),
    value: i % 4 === 0 ? new Uint8Array(0) : new Uint8Array(i === 5 ? 70000 : i * 300).fill(i),
    headers: i % 2 === 0
      ? []
      : [["a", text("1")], ["é".repeat(i), null], ["a", new Uint8Array(300)]],
  }));
  assert.deepEqual(encodeRecordRows(records, new Uint8Array(0)), withCborX(records));
});

Deno.test("record rows start with the prefix they are given", () => {
  const record: ArchivedRecord = {
    offset: 7,
    timestamp: 9,
    key: null,
    value: text("v"),
    headers: [],
  };
  const rows = encodeRecordRows([record], Uint8Array.of(0x9f));
  assert.deepEqual([...rows], [0x9f, 0x85, 7, 9, 0xf6, 0x41, 0x76, 0x80]);
});
