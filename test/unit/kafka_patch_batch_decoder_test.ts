import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { consumedRecord } from "../../lib/kafka/kafkajs.ts";
import {
  decodeRecordBatch,
  FastBatch,
  kafkajsOriginals,
} from "../../lib/kafka/patches/batch_decoder.ts";
import { CorruptBatchError } from "../../lib/kafka/protocol/record_batch.ts";
import {
  decodeFetchResponse,
  kafkajsOriginals as fetchOriginals,
} from "../../lib/kafka/patches/fetch_response.ts";
import { exitCodeOf, IntegrityError } from "../../lib/errors.ts";
import { field, varint } from "../helpers/kafka_wire.ts";

const require = createRequire(import.meta.url);
const Decoder = require("kafkajs/src/protocol/decoder.js");
// kafkajs's own CRC32C (the module cache holds the fast one), as the oracle.
const kafkajsCrc = require("../../node_modules/kafkajs/src/protocol/recordBatch/crc32C/crc32C.js");

const text = (s: string) => new TextEncoder().encode(s);

interface SpecRecord {
  offsetDelta: number;
  timestampDelta: number | bigint;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Array<[string, Uint8Array | null]>;
}

function recordBytes(r: SpecRecord): number[] {
  const body = [0, ...varint(r.timestampDelta), ...varint(r.offsetDelta), ...field(r.key)];
  body.push(...field(r.value), ...varint(r.headers.length));
  for (const [name, v] of r.headers) body.push(...field(text(name)), ...field(v));
  return [...varint(body.length), ...body];
}

interface SpecBatch {
  firstOffset: bigint;
  firstTimestamp: bigint;
  maxTimestamp?: bigint;
  attributes?: number;
  records: SpecRecord[];
  gzip?: boolean;
}

/** One record batch (magic 2) as the broker sends it, with its CRC32C. */
function batchBytes(spec: SpecBatch): Uint8Array {
  const records = spec.records.flatMap(recordBytes);
  const body = spec.gzip ? [...gzipSync(Uint8Array.from(records))] : records;
  const afterLength = 45 + 4 + body.length;
  const buf = Buffer.alloc(12 + afterLength);
  buf.writeBigInt64BE(spec.firstOffset, 0);
  buf.writeInt32BE(afterLength, 8);
  buf.writeInt32BE(7, 12); // partition leader epoch
  buf.writeInt8(2, 16); // magic
  buf.writeUInt32BE(0, 17); // crc
  buf.writeInt16BE((spec.attributes ?? 0) | (spec.gzip ? 1 : 0), 21);
  buf.writeInt32BE(Math.max(0, spec.records.length - 1), 23);
  buf.writeBigInt64BE(spec.firstTimestamp, 27);
  buf.writeBigInt64BE(spec.maxTimestamp ?? spec.firstTimestamp, 35);
  buf.writeBigInt64BE(42n, 43); // producer id
  buf.writeInt16BE(3, 51); // producer epoch
  buf.writeInt32BE(5, 53); // first sequence
  buf.writeInt32BE(spec.records.length, 57);
  buf.set(body, 61);
  buf.writeUInt32BE(kafkajsCrc(buf.subarray(21)), 17);
  return buf;
}

const kafkajsDecodeRecordBatch = kafkajsOriginals.decodeRecordBatch;
const KafkajsBatchClass = kafkajsOriginals.Batch;
const kafkajsFetchResponse = fetchOriginals.fetchResponse;

/** What kafkajs sees of a decoded message (ours keep some fields behind getters). */
// deno-lint-ignore no-explicit-any
const kafkajsView = (m: any) => ({
  magicByte: m.magicByte,
  attributes: m.attributes,
  timestamp: m.timestamp,
  offset: m.offset,
  key: m.key,
  value: m.value,
  headers: m.headers,
  isControlRecord: m.isControlRecord,
  batchContext: m.batchContext,
});

// deno-lint-ignore no-explicit-any
const batchView = (batch: any) => ({ ...batch, records: batch.records.map(kafkajsView) });

// deno-lint-ignore no-explicit-any
async function decodeBoth(bytes: Uint8Array): Promise<[any, any]> {
  const buffer = Buffer.from(bytes);
  const ours = new Decoder(buffer);
  const theirs = new Decoder(buffer);
  const fast = await decodeRecordBatch(ours);
  const original = await kafkajsDecodeRecordBatch(theirs);
  assert.equal(ours.offset, theirs.offset, "both decoders move the fetch decoder alike");
  return [fast, original];
}

const sample: SpecRecord[] = [
  { offsetDelta: 0, timestampDelta: 0, key: text("k0"), value: text("v0"), headers: [] },
  {
    offsetDelta: 1,
    timestampDelta: -5,
    key: null,
    value: new Uint8Array(0),
    headers: [["a", text("1")], ["b", null], ["a", text("2")]],
  },
  {
    offsetDelta: 3,
    timestampDelta: 2 ** 40,
    key: new Uint8Array(0),
    value: null,
    headers: [["é", new Uint8Array(0)]],
  },
];

Deno.test("the patched batch decoder shows kafkajs what kafkajs's decoder returns, and keeps header order", async () => {
  for (const gzip of [false, true]) {
    const [fast, original] = await decodeBoth(batchBytes({
      firstOffset: 1000n,
      firstTimestamp: 1_700_000_000_000n,
      records: sample,
      gzip,
    }));
    assert.deepEqual(batchView(fast), batchView(original));
    assert.deepEqual(fast.records.map((m: { offset: string }) => m.offset), [
      "1000",
      "1001",
      "1003",
    ]);
    assert.deepEqual(fast.records.map((m: { timestamp: string }) => m.timestamp), [
      "1700000000000",
      "1699999999995",
      String(1_700_000_000_000 + 2 ** 40),
    ]);
    // Our record (adapters.ts): numbers, and the ordered header list.
    assert.deepEqual(consumedRecord(fast.records[1]).headers, [
      ["a", Buffer.from("1")],
      ["b", null],
      ["a", Buffer.from("2")],
    ]);
    assert.deepEqual(
      fast.records.map((m: never) => consumedRecord(m).offset),
      [1000, 1001, 1003],
    );
    assert.deepEqual(fast.records[1].headers, { a: [Buffer.from("1"), Buffer.from("2")], b: null });
    assert.equal(fast.records[0].key instanceof Buffer, true);
    assert.equal(fast.records[1].key, null);
    assert.equal(fast.records[2].value, null);
  }
});

Deno.test("offsets and timestamps past 2^53 are summed exactly", async () => {
  const firstOffset = 2n ** 53n - 1n;
  const [fast, original] = await decodeBoth(batchBytes({
    firstOffset,
    firstTimestamp: -1n,
    records: [
      { offsetDelta: 0, timestampDelta: 0, key: null, value: text("x"), headers: [] },
      { offsetDelta: 2, timestampDelta: 2n ** 60n, key: null, value: text("y"), headers: [] },
    ],
  }));
  assert.deepEqual(batchView(fast), batchView(original));
  assert.deepEqual(
    fast.records.map((m: { offset: string }) => m.offset),
    [String(firstOffset), String(firstOffset + 2n)],
  );
  // Past 2^53 our record has BigInts, never rounded Numbers.
  assert.equal(consumedRecord(fast.records[1]).offset, firstOffset + 2n);
  assert.equal(fast.records[1].timestamp, String(2n ** 60n - 1n));
});

Deno.test("LogAppendTime and control batches are flagged like kafkajs flags them", async () => {
  const [appendTime, originalAppendTime] = await decodeBoth(batchBytes({
    firstOffset: 5n,
    firstTimestamp: 100n,
    maxTimestamp: 999n,
    attributes: 0x8 | 0x10,
    records: sample,
  }));
  assert.deepEqual(batchView(appendTime), batchView(originalAppendTime));
  assert.equal(appendTime.records[2].timestamp, "999");
  assert.equal(appendTime.inTransaction, true);
  const [control, originalControl] = await decodeBoth(batchBytes({
    firstOffset: 9n,
    firstTimestamp: 100n,
    attributes: 0x10 | 0x20,
    records: [{
      offsetDelta: 0,
      timestampDelta: 0,
      key: text("\0\0\0\0"),
      value: null,
      headers: [],
    }],
  }));
  assert.deepEqual(batchView(control), batchView(originalControl));
  assert.equal(control.records[0].isControlRecord, true);
});

Deno.test("a batch cut short by the fetch size fails as a partial message, like kafkajs", async () => {
  const whole = batchBytes({ firstOffset: 0n, firstTimestamp: 0n, records: sample });
  const cut = Buffer.from(whole.subarray(0, whole.length - 3));
  for (const decode of [decodeRecordBatch, kafkajsDecodeRecordBatch]) {
    await assert.rejects(
      () => decode(new Decoder(cut)),
      (error: Error) => error.name === "KafkaJSPartialMessageError",
    );
  }
});

Deno.test("kafkajs's fetch decoding uses the patched batch decoder", async () => {
  const decodeMessages = require("kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js");
  const batch = batchBytes({ firstOffset: 0n, firstTimestamp: 0n, records: sample });
  const framed = Buffer.alloc(4 + batch.length);
  framed.writeInt32BE(batch.length, 0);
  framed.set(batch, 4);
  const messages = await decodeMessages(new Decoder(framed));
  assert.equal(messages.length, 3);
  // Only the patched decoder's messages carry our record.
  assert.equal(consumedRecord(messages[0]).offset, 0);
});

Deno.test("the consumer Batch drops records before the fetched offset and control records, like kafkajs", async () => {
  const [decoded] = await decodeBoth(batchBytes({
    firstOffset: 2n ** 53n - 3n,
    firstTimestamp: 0n,
    records: sample,
  }));
  const control = (await decodeBoth(batchBytes({
    firstOffset: 2n ** 53n + 2n,
    firstTimestamp: 0n,
    attributes: 0x10 | 0x20,
    records: [{
      offsetDelta: 0,
      timestampDelta: 0,
      key: text("\0\0\0\0"),
      value: null,
      headers: [],
    }],
  })))[0];
  const messages = [...decoded.records, ...control.records];
  for (const fetchedOffset of ["0", String(2n ** 53n - 2n), String(2n ** 53n)]) {
    const partitionData = { partition: 1, highWatermark: "99", messages, abortedTransactions: [] };
    const fast = new FastBatch("t", fetchedOffset, partitionData);
    const original = new KafkajsBatchClass("t", fetchedOffset, partitionData);
    assert.deepEqual({ ...fast }, { ...original });
    assert.equal(fast.lastOffset(), original.lastOffset());
    assert.equal(fast.offsetLag(), original.offsetLag());
  }
  const cut = new FastBatch("t", String(2n ** 53n), {
    partition: 1,
    highWatermark: "99",
    messages,
    abortedTransactions: [],
  });
  assert.deepEqual(cut.messages.map((m: { offset: string }) => m.offset), [String(2n ** 53n)]);
  assert.deepEqual(
    cut.messagesWithinOffset.map((m: { offset: string }) => m.offset),
    [String(2n ** 53n), String(2n ** 53n + 2n)],
  );
});

/** A Fetch v11 response holding `batch` as the records of `topic`/`partition`. */
function fetchResponse(topic: string, partition: number, batch: Uint8Array): Buffer {
  const name = Buffer.from(topic);
  const head = Buffer.alloc(4 + 2 + 4 + 4 + 2 + name.length + 4);
  let at = head.writeInt32BE(0, 0); // throttle time
  at = head.writeInt16BE(0, at); // error code
  at = head.writeInt32BE(0, at); // session id
  at = head.writeInt32BE(1, at); // topics
  at = head.writeInt16BE(name.length, at);
  at += name.copy(head, at);
  head.writeInt32BE(1, at); // partitions
  const part = Buffer.alloc(4 + 2 + 8 + 8 + 8 + 4 + 4 + 4);
  at = part.writeInt32BE(partition, 0);
  at = part.writeInt16BE(0, at);
  at = part.writeBigInt64BE(100n, at); // high watermark
  at = part.writeBigInt64BE(100n, at); // last stable offset
  at = part.writeBigInt64BE(0n, at); // log start offset
  at = part.writeInt32BE(0, at); // aborted transactions
  at = part.writeInt32BE(-1, at); // preferred read replica
  part.writeInt32BE(batch.length, at);
  return Buffer.concat([head, part, batch]);
}

Deno.test("a fetched batch whose CRC32C does not match is refused, naming topic, partition and offset", async () => {
  const good = batchBytes({ firstOffset: 40n, firstTimestamp: 0n, records: sample });
  // The oracle response decodes the same with kafkajs's decoder and ours.
  const response = fetchResponse("orders", 3, good);
  const kafkajsModule = require("kafkajs/src/protocol/requests/fetch/v11/response.js");
  assert.equal(kafkajsModule.decode, decodeFetchResponse, "kafkajs's fetch v11 uses ours");
  assert.deepEqual(
    JSON.stringify(await decodeFetchResponse(response)),
    JSON.stringify(await kafkajsFetchResponse.decode(response)),
  );
  for (const flip of [21, 40, good.length - 1]) {
    const damaged = Buffer.from(good);
    damaged[flip] ^= 0x10;
    await assert.rejects(
      () => decodeRecordBatch(new Decoder(damaged)),
      (error: Error) => error instanceof CorruptBatchError && /offset 40/.test(error.message),
    );
    await assert.rejects(
      () => decodeFetchResponse(fetchResponse("orders", 3, damaged)),
      (error: Error) =>
        error instanceof IntegrityError && exitCodeOf(error) === 5 &&
        /damaged record batch of orders\/3: the record batch at offset 40 fails its CRC32C/
          .test(error.message),
    );
  }
});
