import assert from "node:assert/strict";
import { encodeChunk } from "../../lib/archive/chunk_encode.ts";
import {
  type ChunkIndexEntry,
  parseIndexEntry,
  serializeIndexEntry,
} from "../../lib/archive/index_entry.ts";
import { chunkKey, indexKeyOf } from "../../lib/archive/keys.ts";
import { IntegrityError } from "../../lib/errors.ts";

const record = (offset: number) => ({
  offset,
  timestamp: 1_700_000_000_000 + offset,
  key: null,
  value: new Uint8Array([offset & 0xff]),
  headers: [],
});

async function encodeSampleEntry(): Promise<ChunkIndexEntry> {
  const meta = {
    topic: "orders",
    partition: 2,
    from: 10,
    to: 30,
    timestampType: "CreateTime",
    codec: "zstd",
  } as const;
  return (await encodeChunk(meta, [10, 11, 15, 20].map(record))).entry;
}

const SAMPLE_ENTRY = await encodeSampleEntry();
const sampleEntry = (): ChunkIndexEntry => structuredClone(SAMPLE_ENTRY);

const INDEX_KEY = indexKeyOf(chunkKey("orders", 2, 10, 30));
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function assertRejected(value: unknown, pattern: RegExp, indexKey = INDEX_KEY): void {
  const data = value instanceof Uint8Array ? value : encode(value);
  assert.throws(() => parseIndexEntry(data, indexKey), (error: unknown) => {
    assert.ok(error instanceof IntegrityError, String(error));
    assert.ok(error.message.includes(indexKey), error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("an index entry is one line of JSON that parses back unchanged", () => {
  const entry = sampleEntry();
  const data = serializeIndexEntry(entry);
  const text = new TextDecoder().decode(data);
  assert.ok(text.endsWith("}\n") && !text.slice(0, -1).includes("\n"));
  assert.deepEqual(parseIndexEntry(data, INDEX_KEY), entry);
  assert.deepEqual(entry.gaps, [[12, 14], [16, 19], [21, 30]]);
});

Deno.test("fields a newer writer adds are ignored", () => {
  const entry = sampleEntry();
  assert.deepEqual(parseIndexEntry(encode({ ...entry, futureField: [1] }), INDEX_KEY), entry);
});

Deno.test("an entry that is not JSON or misses a field is an integrity error", () => {
  assertRejected(new TextEncoder().encode("{not json"), /not JSON/);
  assertRejected(new Uint8Array([0xff, 0xfe]), /not JSON/);
  assertRejected([1, 2], /not a map/);
  const { sha256: _, ...noSha } = sampleEntry();
  assertRejected(noSha, /sha256/);
});

Deno.test("an entry from a newer format version is refused", () => {
  assertRejected({ ...sampleEntry(), formatVersion: 3 }, /format version 3/);
  // Version 2 is an encrypted chunk's: without its "encryption" field, the entry is damaged.
  assertRejected({ ...sampleEntry(), formatVersion: 2 }, /encryption/);
});

Deno.test("an entry stored under another chunk's key is refused", () => {
  const other = indexKeyOf(chunkKey("orders", 2, 31, 40));
  assertRejected(sampleEntry(), /stored as/, other);
  assertRejected({ ...sampleEntry(), partition: 3 }, /does not name/);
});

Deno.test("fields with wrong types or values are refused by name", () => {
  const entry = sampleEntry();
  assertRejected({ ...entry, codec: "lz4" }, /"codec"/);
  assertRejected({ ...entry, timestampType: "Whenever" }, /"timestampType"/);
  assertRejected({ ...entry, sha256: entry.sha256.toUpperCase() }, /"sha256"/);
  assertRejected({ ...entry, count: -1 }, /"count"/);
  assertRejected({ ...entry, bytes: "12" }, /"bytes"/);
  assertRejected({ ...entry, createdAt: "yesterday" }, /"createdAt"/);
  assertRejected({ ...entry, from: 2 ** 53 }, /"from"/);
});

Deno.test("count, gaps and first and last offsets must add up to the range", () => {
  const entry = sampleEntry();
  assertRejected({ ...entry, count: 5 }, /cover the range|fit/);
  assertRejected({ ...entry, gaps: [[16, 19], [12, 14], [21, 30]] }, /order/);
  assertRejected({ ...entry, gaps: [[12, 14], [15, 19], [21, 30]] }, /order/);
  assertRejected({ ...entry, gaps: [[12, 14], [16, 19], [21, 31]] }, /range/);
  assertRejected({ ...entry, gaps: [[12, 14], [16, 19], [22, 30]], count: 5 }, /disagree/);
  assertRejected({ ...entry, gaps: [[14, 12]] }, /gap 0/);
  assertRejected({ ...entry, firstOffset: null }, /null exactly when/);
  assertRejected({ ...entry, minTimestamp: entry.maxTimestamp! + 1 }, /minTimestamp/);
});
