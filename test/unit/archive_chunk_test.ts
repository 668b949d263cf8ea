import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { decodeChunk, decodeChunkHeader } from "../../lib/archive/chunk_decode.ts";
import { type ChunkMeta, ChunkWriter, encodeChunk } from "../../lib/archive/chunk_encode.ts";
import { decompress } from "../../lib/archive/codec.ts";
import { zstdCompressSync } from "node:zlib";
import { sha256Hex } from "../../lib/archive/checksum.ts";
import { cborDecoder, type Codec, encodeCborTransient, MAGIC } from "../../lib/archive/format.ts";
import { headerToCbor } from "../../lib/archive/header.ts";
import type { ChunkHeader } from "../../lib/archive/header.ts";
import { indexKeyOf } from "../../lib/archive/keys.ts";
import { parseIndexEntry, serializeIndexEntry } from "../../lib/archive/index_entry.ts";
import type { ArchivedRecord } from "../../lib/archive/record.ts";
import { IntegrityError } from "../../lib/errors.ts";

const text = (s: string) => new TextEncoder().encode(s);
const bytes = (...values: number[]) => new Uint8Array(values);
const CODECS: Codec[] = ["zstd", "gzip", "none"];

/** Records that break naive archivers: invalid UTF-8, null vs empty, header order, 1 MiB. */
function fidelityRecords(): ArchivedRecord[] {
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) ^ (i >> 8));
  return [
    { offset: 100, timestamp: 1_700_000_000_000, key: null, value: null, headers: [] },
    { offset: 101, timestamp: 1_700_000_000_001, key: bytes(), value: bytes(), headers: [] },
    {
      offset: 105,
      timestamp: -1,
      key: bytes(0xff, 0xfe, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x00),
      value: text('line 1\nline 2\r\n\n{"json": true}\n'),
      headers: [
        ["a", text("first")],
        ["b", null],
        ["a", text("second")],
        ["", bytes()],
        ["a", null],
        ["ü\n", bytes(0xff, 0x00)],
      ],
    },
    { offset: 110, timestamp: 2 ** 45, key: text("big"), value: big, headers: [["a", null]] },
  ];
}

const meta = (codec: Codec, over: Partial<ChunkMeta> = {}): ChunkMeta => ({
  topic: "orders",
  partition: 3,
  from: 100,
  to: 120,
  timestampType: "CreateTime",
  codec,
  ...over,
});

function assertPlainBytes(value: Uint8Array | null): void {
  if (value !== null) assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype);
}

for (const codec of CODECS) {
  Deno.test(`a ${codec} chunk round trips every byte, null and header exactly`, async () => {
    const records = fidelityRecords();
    const chunk = await encodeChunk(meta(codec), records);
    const decoded = decodeChunk(chunk.bytes, chunk.key);
    assert.deepStrictEqual(decoded.records, records);
    for (const record of decoded.records) {
      assertPlainBytes(record.key);
      assertPlainBytes(record.value);
      for (const [, value] of record.headers) assertPlainBytes(value);
    }
    assert.equal(decoded.header.codec, codec);
    assert.equal(decoded.header.count, 4);
  });
}

Deno.test("the index entry records sparse offsets as gaps and sums up the chunk", async () => {
  const createdAt = new Date("2024-05-06T07:08:09.010Z");
  const chunk = await encodeChunk(meta("zstd", { createdAt }), fidelityRecords());
  assert.equal(chunk.key, "orders/3/00000000000000000100-00000000000000000120.chunk");
  assert.equal(chunk.sha256, sha256Hex(chunk.bytes));
  const { sha256: _, ...rest } = chunk.entry;
  assert.deepEqual(rest, {
    formatVersion: 1,
    key: chunk.key,
    topic: "orders",
    partition: 3,
    from: 100,
    to: 120,
    firstOffset: 100,
    lastOffset: 110,
    count: 4,
    minTimestamp: -1,
    maxTimestamp: 2 ** 45,
    timestampType: "CreateTime",
    codec: "zstd",
    bytes: chunk.bytes.length,
    uncompressedBytes: chunk.entry.uncompressedBytes,
    gaps: [[102, 104], [106, 109], [111, 120]],
    createdAt: "2024-05-06T07:08:09.010Z",
  });
  const indexKey = indexKeyOf(chunk.key);
  assert.deepEqual(parseIndexEntry(serializeIndexEntry(chunk.entry), indexKey), chunk.entry);
});

Deno.test("the header describes the chunk without decompressing it", async () => {
  const chunk = await encodeChunk(
    meta("gzip", { timestampType: "LogAppendTime" }),
    fidelityRecords(),
  );
  assert.deepEqual(chunk.bytes.subarray(0, 8), MAGIC);
  assert.equal(chunk.bytes[8], 1);
  const { header } = decodeChunkHeader(chunk.bytes, chunk.key);
  assert.equal(header.timestampType, "LogAppendTime");
  assert.equal(header.uncompressedBytes, chunk.entry.uncompressedBytes);
  assert.equal(header.createdAt, chunk.entry.createdAt);
});

Deno.test("offsets and timestamps beyond 32 bits are stored as CBOR integers", async () => {
  const from = Number.MAX_SAFE_INTEGER - 20;
  const records: ArchivedRecord[] = [
    { offset: from, timestamp: -(2 ** 40), key: null, value: bytes(1), headers: [] },
    { offset: from + 20, timestamp: 2 ** 52, key: null, value: bytes(2), headers: [] },
  ];
  const chunk = await encodeChunk(meta("none", { from, to: from + 20 }), records);
  assert.deepStrictEqual(decodeChunk(chunk.bytes, chunk.key).records, records);
  const headerLength = new DataView(chunk.bytes.buffer).getUint32(9);
  const raw = cborDecoder.decode(chunk.bytes.subarray(13, 13 + headerLength));
  assert.equal(typeof raw.from, "bigint", "not a float64");
});

Deno.test("an empty chunk covers its range as one gap", async () => {
  const chunk = await encodeChunk(meta("zstd"), []);
  assert.equal(chunk.entry.count, 0);
  assert.equal(chunk.entry.firstOffset, null);
  assert.deepEqual(chunk.entry.gaps, [[100, 120]]);
  assert.deepEqual(decodeChunk(chunk.bytes, chunk.key).records, []);
});

Deno.test("decoding a Node Buffer still yields plain Uint8Array fields", async () => {
  for (const codec of CODECS) {
    const chunk = await encodeChunk(meta(codec), fidelityRecords());
    const { records } = decodeChunk(Buffer.from(chunk.bytes), chunk.key);
    assertPlainBytes(records[2].key);
    assertPlainBytes(records[3].value);
    assert.deepStrictEqual(records, fidelityRecords());
  }
});

Deno.test("Node Buffers from a Kafka client are stored as plain byte strings", async () => {
  const plain: ArchivedRecord = {
    offset: 100,
    timestamp: 5,
    key: text("k"),
    value: bytes(0, 1, 2),
    headers: [["h", text("v")]],
  };
  const fromClient: ArchivedRecord = {
    ...plain,
    key: Buffer.from("k"),
    value: Buffer.from([0, 1, 2]),
    headers: [["h", Buffer.from("v")]],
  };
  const chunk = await encodeChunk(meta("none"), [fromClient]);
  assert.deepEqual(
    chunk.bytes,
    (await encodeChunk(meta("none", { createdAt: new Date(chunk.entry.createdAt) }), [plain]))
      .bytes,
  );
  assert.deepStrictEqual(decodeChunk(chunk.bytes, chunk.key).records, [plain]);
});

Deno.test("encodeChunk refuses records out of order or outside the range", async () => {
  const r = (offset: number): ArchivedRecord => ({
    offset,
    timestamp: 0,
    key: null,
    value: null,
    headers: [],
  });
  for (const offsets of [[101, 101], [102, 101], [99], [121], [100.5]]) {
    await assert.rejects(() => encodeChunk(meta("none"), offsets.map(r)), RangeError, `${offsets}`);
  }
  await assert.rejects(() => encodeChunk(meta("none", { to: 99 }), []), RangeError);
  const bad = { ...r(100), value: "text" } as unknown as ArchivedRecord;
  await assert.rejects(() => encodeChunk(meta("none"), [bad]), TypeError);
  const badHeader = { ...r(100), headers: [["a", "b"]] } as unknown as ArchivedRecord;
  await assert.rejects(() => encodeChunk(meta("none"), [badHeader]), TypeError);
  const badCodec = meta("lz4" as Codec);
  await assert.rejects(() => encodeChunk(badCodec, []), RangeError);
});

function assertIntegrity(fn: () => unknown, pattern: RegExp, key: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof IntegrityError, `expected IntegrityError, got ${error}`);
    assert.ok(error.message.includes(key), `message names the key: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("bad magic bytes and unknown format versions are integrity errors", async () => {
  const chunk = await encodeChunk(meta("zstd"), fidelityRecords());
  const badMagic = chunk.bytes.slice();
  badMagic[0] = 0x4a;
  assertIntegrity(() => decodeChunk(badMagic, chunk.key), /bad magic/, chunk.key);
  const v3 = chunk.bytes.slice();
  v3[8] = 3;
  assertIntegrity(() => decodeChunk(v3, chunk.key), /format version 3/, chunk.key);
  // Version 2 (encrypted) is known, but a version 1 header under a version 2 byte is damage.
  const v2 = chunk.bytes.slice();
  v2[8] = 2;
  assertIntegrity(() => decodeChunk(v2, chunk.key), /format version/, chunk.key);
});

for (const codec of CODECS) {
  Deno.test(`a truncated ${codec} chunk is an integrity error at every cut`, async () => {
    const chunk = await encodeChunk(meta(codec), fidelityRecords());
    const size = chunk.bytes.length;
    for (const cut of [0, 5, 12, 20, 100, Math.floor(size / 2), size - 1]) {
      assertIntegrity(() => decodeChunk(chunk.bytes.subarray(0, cut), chunk.key), /./, chunk.key);
    }
  });
}

Deno.test("bytes appended to a chunk are an integrity error", async () => {
  for (const codec of CODECS) {
    const chunk = await encodeChunk(meta(codec), fidelityRecords());
    const longer = new Uint8Array(chunk.bytes.length + 1);
    longer.set(chunk.bytes);
    assertIntegrity(() => decodeChunk(longer, chunk.key), /trailing bytes/, chunk.key);
  }
});

Deno.test("a damaged compressed body is an integrity error, not garbage records", async () => {
  for (const codec of ["zstd", "gzip"] as const) {
    const chunk = await encodeChunk(meta(codec), fidelityRecords());
    const { bodyOffset } = decodeChunkHeader(chunk.bytes, chunk.key);
    // The frame start, the middle of the data and the trailer (checksum or CRC + size);
    // not the gzip header's time stamp, which no check covers and no record depends on.
    const middle = Math.floor((bodyOffset + chunk.bytes.length) / 2);
    for (const at of [bodyOffset, middle, chunk.bytes.length - 3]) {
      const damaged = chunk.bytes.slice();
      damaged[at] ^= 0x5a;
      assertIntegrity(() => decodeChunk(damaged, chunk.key), /./, chunk.key);
    }
  }
});

/** The same chunk with its header changed: the body stays as it was. */
function withHeader(file: Uint8Array, key: string, change: Partial<ChunkHeader>): Uint8Array {
  const { header, bodyOffset } = decodeChunkHeader(file, key);
  const encoded = new Uint8Array(encodeCborTransient(headerToCbor({ ...header, ...change })));
  const out = new Uint8Array(13 + encoded.length + file.length - bodyOffset);
  out.set(file.subarray(0, 9));
  new DataView(out.buffer).setUint32(9, encoded.length);
  out.set(encoded, 13);
  out.set(file.subarray(bodyOffset), 13 + encoded.length);
  return out;
}

Deno.test("a header that disagrees with the body or the key is an integrity error", async () => {
  const chunk = await encodeChunk(meta("zstd"), fidelityRecords());
  const key = chunk.key;
  assert.equal(decodeChunk(withHeader(chunk.bytes, key, {}), key).records.length, 4);
  assertIntegrity(() => decodeChunk(withHeader(chunk.bytes, key, { count: 5 }), key), /5/, key);
  const lastOffset = { lastOffset: 111 };
  assertIntegrity(() => decodeChunk(withHeader(chunk.bytes, key, lastOffset), key), /last/, key);
  const maxTimestamp = { maxTimestamp: 2 ** 46 };
  assertIntegrity(() => decodeChunk(withHeader(chunk.bytes, key, maxTimestamp), key), /time/, key);
  assertIntegrity(() => decodeChunk(withHeader(chunk.bytes, key, { to: 121 }), key), /121/, key);
  const codec = { codec: "snappy" } as unknown as Partial<ChunkHeader>;
  assertIntegrity(() => decodeChunk(withHeader(chunk.bytes, key, codec), key), /codec/, key);
  const size = { uncompressedBytes: 10 };
  assertIntegrity(() => decodeChunk(withHeader(chunk.bytes, key, size), key), /decompress/, key);
});

for (const codec of CODECS) {
  Deno.test(`a ${codec} chunk appended batch by batch equals one written in one call`, async () => {
    const records = fidelityRecords();
    const createdAt = new Date("2026-01-02T03:04:05.006Z");
    const whole = await encodeChunk(meta(codec, { createdAt }), records);
    const writer = new ChunkWriter(meta(codec));
    await writer.append(records.slice(0, 1));
    await writer.append([]);
    await writer.append(records.slice(1, 3));
    await writer.append(records.slice(3));
    assert.equal(writer.count, 4);
    const pieces = await writer.finish(120, createdAt);
    assert.deepEqual(pieces.entry, whole.entry);
    assert.deepStrictEqual(decodeChunk(pieces.bytes, pieces.key).records, records);
    // Gaps that fall between two appends are found as well as those inside one.
    assert.deepEqual(pieces.entry.gaps, [[102, 104], [106, 109], [111, 120]]);
  });
}

Deno.test("a record refused by append leaves the chunk as it was", async () => {
  const writer = new ChunkWriter(meta("zstd"));
  const [first, second] = fidelityRecords();
  await writer.append([first]);
  await assert.rejects(() => writer.append([second, first]), RangeError);
  assert.equal(writer.count, 1);
  await writer.append([second]);
  const chunk = await writer.finish(120);
  assert.deepStrictEqual(decodeChunk(chunk.bytes, chunk.key).records, [first, second]);
  await assert.rejects(() => writer.append([]), /after finish/);
});

Deno.test("the body is an indefinite-length CBOR array (written as records arrive)", async () => {
  const chunk = await encodeChunk(meta("zstd"), fidelityRecords());
  const { header, bodyOffset } = decodeChunkHeader(chunk.bytes, chunk.key);
  const body = decompress("zstd", chunk.bytes.subarray(bodyOffset), header.uncompressedBytes);
  assert.equal(body[0], 0x9f);
  assert.equal(body[body.length - 1], 0xff);
});

Deno.test("a chunk whose body is a definite-length array (older writers) still decodes", async () => {
  const records = fidelityRecords();
  const chunk = await encodeChunk(meta("zstd"), records);
  const { header, bodyOffset } = decodeChunkHeader(chunk.bytes, chunk.key);
  const rows = cborDecoder.decode(
    decompress("zstd", chunk.bytes.subarray(bodyOffset), header.uncompressedBytes),
  );
  const definite = new Uint8Array(encodeCborTransient(rows));
  assert.equal(definite[0], 0x84, "a definite array of four records");
  const body = zstdCompressSync(definite);
  const head = withHeader(chunk.bytes, chunk.key, {
    uncompressedBytes: definite.length,
    compressedBytes: body.length,
  }).subarray(0, -(chunk.bytes.length - bodyOffset));
  const file = new Uint8Array(head.length + body.length);
  file.set(head);
  file.set(body, head.length);
  assert.deepStrictEqual(decodeChunk(file, chunk.key).records, records);
});
