/**
 * A faster decoder of fetched record batches (Kafka's v2 record format) for kafkajs,
 * swapped in through the CommonJS module cache before kafkajs's fetch decoding first
 * requires it. It returns exactly what kafkajs's own decoder returns (string offsets and
 * timestamps, Buffer keys and values, a headers object carrying the ordered header list
 * of ordered_headers.ts), but reads straight from the fetch buffer: kafkajs builds a
 * Decoder and a sliced Buffer per record and does every 64-bit sum with BigInt (a varlong
 * costs a BigInt per byte), which the backup profile showed as its largest cost.
 *
 * Offsets and timestamps are summed as Numbers while they are safe integers (always, in
 * practice: 2^53 is 285 years of milliseconds); otherwise the BigInt path is taken.
 *
 * Unlike kafkajs, every batch's CRC32C is checked, as Kafka's own consumers do: a broker
 * serves its log without checking it, so a damaged segment would otherwise be archived,
 * under a valid SHA-256, as if it were the data. A damaged batch fails the fetch with a
 * CorruptBatchError (fetch_response.ts names its topic and partition).
 *
 * kafkajs's consumer Batch is given the same treatment: its constructor parses every
 * message's offset into a BigInt to drop those before the fetched offset; this one
 * compares Numbers (BigInts only past 2^53) and is otherwise the same class.
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { type HeaderList, ORDERED_HEADERS } from "./ordered_headers.ts";
import { crc32c } from "./fast_paths.ts";
import { IntegrityError } from "../errors.ts";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;
const { KafkaJSPartialMessageError }: Any = require("kafkajs/src/errors.js");
const { lookupCodecByAttributes }: Any = require(
  "kafkajs/src/protocol/message/compression/index.js",
);
const TimestampTypes: Any = require("kafkajs/src/protocol/timestampTypes.js");

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
/** Bytes of a batch after its Length field up to its records array (or record count). */
const BATCH_HEADER_BYTES = 45;

type HeadersObject = Record<string, unknown> & { [ORDERED_HEADERS]?: HeaderList };

/** The headers object of records without headers: kafkajs gives `{}`; nobody writes to it. */
const NO_HEADERS: HeadersObject = Object.freeze({});

/** A read position in one buffer. */
interface Cursor {
  buf: Buffer;
  at: number;
}

/** Kafka's zigzag varint, computed exactly as kafkajs's Decoder.readVarInt does. */
function readVarInt(c: Cursor): number {
  const buf = c.buf;
  let byte: number;
  let result = 0;
  let shift = 0;
  do {
    byte = buf[c.at++];
    result += (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** A zigzag varlong as a Number, or a BigInt when it is not a safe integer. */
function readVarLong(c: Cursor): number | bigint {
  const buf = c.buf;
  let byte: number;
  let result = 0;
  let scale = 1;
  const start = c.at;
  do {
    byte = buf[c.at++];
    result += (byte & 0x7f) * scale;
    scale *= 128;
    if (scale > 2 ** 49) return readVarLongBig(c, start);
  } while (byte >= 0x80);
  return result % 2 === 1 ? -(result + 1) / 2 : result / 2;
}

function readVarLongBig(c: Cursor, start: number): bigint {
  c.at = start;
  let byte: number;
  let result = 0n;
  let shift = 0n;
  do {
    if (shift > 63n) throw new RangeError("Invalid Long, must contain 9 bytes or less");
    byte = c.buf[c.at++];
    result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  } while (byte >= 0x80);
  result = BigInt.asUintN(64, result);
  return (result >> 1n) ^ -(result & 1n);
}

function readBytes(c: Cursor): Buffer | null {
  const length = readVarInt(c);
  if (length === -1) return null;
  const start = c.at;
  c.at += length;
  return c.buf.subarray(start, c.at) as Buffer;
}

function readString(c: Cursor): string | null {
  const length = readVarInt(c);
  if (length === -1) return null;
  const start = c.at;
  c.at += length;
  return c.buf.toString("utf8", start, c.at);
}

function readHeaders(c: Cursor): HeadersObject {
  const count = readVarInt(c);
  if (count <= 0) return NO_HEADERS;
  const ordered: HeaderList = new Array(count);
  const object: HeadersObject = {};
  for (let i = 0; i < count; i++) {
    const key = readString(c) as string;
    const value = readBytes(c);
    ordered[i] = [key, value];
    // kafkajs's shape: one value, or an array of the values of a repeated name.
    const previous = object[key];
    object[key] = previous === undefined
      ? value
      : Array.isArray(previous)
      ? previous.concat([value])
      : [previous, value];
  }
  Object.defineProperty(object, ORDERED_HEADERS, { value: ordered, enumerable: false });
  return object;
}

/** A 64-bit base as a Number when safe, else as a BigInt. */
function base(value: bigint): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

function sum(a: number | bigint, b: number | bigint): string {
  if (typeof a === "number" && typeof b === "number") {
    const n = a + b;
    if (Number.isSafeInteger(n)) return String(n);
  }
  return BigInt.asIntN(64, BigInt(a) + BigInt(b)).toString();
}

interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  timestampType: number;
  isControlBatch: boolean;
  magicByte: number;
  [field: string]: unknown;
}

function decodeRecord(c: Cursor, context: BatchContext, bases: [number | bigint, number | bigint]) {
  const length = readVarInt(c);
  const end = c.at + length;
  const attributes = c.buf.readInt8(c.at++);
  const timestampDelta = readVarLong(c);
  const timestamp = context.timestampType === TimestampTypes.LOG_APPEND_TIME &&
      context.maxTimestamp
    ? context.maxTimestamp
    : sum(bases[1], timestampDelta);
  const offset = sum(bases[0], readVarInt(c));
  const key = readBytes(c);
  const value = readBytes(c);
  const headers = readHeaders(c);
  // Like kafkajs, whose per-record Decoder is bounded by the record's length.
  c.at = end;
  return {
    magicByte: context.magicByte,
    attributes,
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: context.isControlBatch,
    batchContext: context,
  };
}

/** A fetched record batch whose CRC32C does not match its bytes. */
export class CorruptBatchError extends IntegrityError {
  constructor(
    readonly baseOffset: string,
    readonly storedCrc: number,
    readonly computedCrc: number,
  ) {
    super(
      `the record batch at offset ${baseOffset} fails its CRC32C check (it says ` +
        `${hex(storedCrc)}, its bytes give ${hex(computedCrc)})`,
    );
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

/** Where a batch's CRC sits and where the bytes it covers start, after its Length field. */
const CRC_AT = 5;
const CRC_FROM = 9;

/** kafkajs's recordBatch/v0/decoder: one batch from the fetch decoder, which it moves past. */
async function decodeRecordBatch(fetchDecoder: { buffer: Buffer; offset: number }) {
  const buf = fetchDecoder.buffer;
  const start = fetchDecoder.offset;
  const firstOffsetBig = buf.readBigInt64BE(start);
  const length = buf.readInt32BE(start + 8);
  const at = start + 12;
  fetchDecoder.offset = at + length;
  const remainingBytes = Math.max(0, Math.min(buf.length, at + length) - at);
  if (remainingBytes < length) {
    throw new KafkaJSPartialMessageError(
      `Tried to decode a partial record batch: remainingBytes(${remainingBytes}) < recordBatchLength(${length})`,
    );
  }
  const storedCrc = buf.readUInt32BE(at + CRC_AT);
  const computedCrc = crc32c(buf.subarray(at + CRC_FROM, at + length));
  if (storedCrc !== computedCrc) {
    throw new CorruptBatchError(firstOffsetBig.toString(), storedCrc, computedCrc);
  }
  const attributes = buf.readInt16BE(at + 9);
  const firstTimestampBig = buf.readBigInt64BE(at + 15);
  const recordContext = {
    firstOffset: firstOffsetBig.toString(),
    firstTimestamp: firstTimestampBig.toString(),
    partitionLeaderEpoch: buf.readInt32BE(at),
    inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
    lastOffsetDelta: buf.readInt32BE(at + 11),
    producerId: buf.readBigInt64BE(at + 31).toString(),
    producerEpoch: buf.readInt16BE(at + 39),
    firstSequence: buf.readInt32BE(at + 41),
    maxTimestamp: buf.readBigInt64BE(at + 23).toString(),
    timestampType: (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0
      ? TimestampTypes.LOG_APPEND_TIME
      : TimestampTypes.CREATE_TIME,
  };
  const context: BatchContext = { ...recordContext, magicByte: buf.readInt8(at + 4) };
  const bases: [number | bigint, number | bigint] = [base(firstOffsetBig), base(firstTimestampBig)];
  const count = buf.readInt32BE(at + BATCH_HEADER_BYTES);
  const recordsStart = at + BATCH_HEADER_BYTES + 4;
  const codec = lookupCodecByAttributes(attributes);
  let cursor: Cursor;
  if (!codec) {
    if (count === -1) return { ...recordContext, records: [] };
    cursor = { buf, at: recordsStart };
  } else {
    if (count <= 0) return { ...recordContext, records: [] };
    const decompressed: Buffer = await codec.decompress(buf.subarray(recordsStart, at + length));
    cursor = { buf: decompressed, at: 0 };
  }
  const records = new Array(count);
  for (let i = 0; i < count; i++) records[i] = decodeRecord(cursor, context, bases);
  return { ...recordContext, records };
}

/** Compares two decimal offset strings: negative, zero or positive. */
function compareOffsets(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isSafeInteger(x) && Number.isSafeInteger(y)) return x - y;
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

const batchPath = require.resolve("kafkajs/src/consumer/batch.js");
const filterAbortedMessages: Any = require("kafkajs/src/consumer/filterAbortedMessages.js");
const KafkajsBatch: Any = require(batchPath);

interface FetchedMessage {
  offset: string;
  isControlRecord: boolean;
}

/** kafkajs's consumer Batch: the same fields and methods, built without BigInts. */
function Batch(
  this: Record<string, unknown>,
  topic: string,
  fetchedOffset: string,
  partitionData: {
    partition: number;
    highWatermark: string;
    messages: FetchedMessage[];
    abortedTransactions: unknown[];
  },
) {
  const fetched = String(fetchedOffset);
  const { abortedTransactions, messages } = partitionData;
  this.fetchedOffset = fetchedOffset;
  this.topic = topic;
  this.partition = partitionData.partition;
  this.highWatermark = partitionData.highWatermark;
  this.rawMessages = messages;
  // A compressed batch may start before the offset asked for; those records are dropped.
  const withinOffset = messages.filter((message) => compareOffsets(message.offset, fetched) >= 0);
  this.messagesWithinOffset = withinOffset;
  this.messages = filterAbortedMessages({ messages: withinOffset, abortedTransactions })
    .filter((message: FetchedMessage) => !message.isControlRecord);
}
Batch.prototype = KafkajsBatch.prototype;
require.cache[batchPath]!.exports = Batch;

/** kafkajs's own Batch class, kept for the tests that compare the two. */
export const KafkajsBatchClass: Any = KafkajsBatch;
export const FastBatch: Any = Batch;

const path = require.resolve("kafkajs/src/protocol/recordBatch/v0/decoder.js");
/** kafkajs's own batch decoder, kept for the tests that compare the two. */
export const kafkajsDecodeRecordBatch: Any = require(path);
require.cache[path]!.exports = decodeRecordBatch;

export { decodeRecordBatch };
