/**
 * Full-fidelity record headers for kafkajs.
 *
 * kafkajs turns a record's headers into an object keyed by header name, which loses the
 * order between different names (a, b, a comes back as a, a, b) and cannot produce a
 * header whose value is null. Kafka headers are an ordered list with duplicates and null
 * values allowed, and a backup must keep them exactly. So this module, loaded before any
 * record is encoded or decoded:
 * - wraps the wire decoder so every decoded headers object also carries the ordered list
 *   under the `ORDERED_HEADERS` symbol (consumed records now go through
 *   fast_batch_decoder.ts, which builds that list itself; this keeps kafkajs's own record
 *   decoder faithful, which the tests use as an oracle);
 * - replaces kafkajs's record encoder (through the CommonJS module cache, before the
 *   produce request module first requires it) with one that writes such a list as given.
 */
import { createRequire } from "node:module";
import { Buffer } from "node:buffer";
import { writeRecord } from "./record_writer.ts";

/** An ordered header list: [name, value] pairs, duplicates and null values allowed. */
export type HeaderList = Array<[string, Buffer | null]>;

/** Symbol under which decoded and to-be-encoded headers objects carry the ordered list. */
export const ORDERED_HEADERS: unique symbol = Symbol.for("kafka-backup.orderedHeaders");

type HeadersObject = Record<string, unknown> & { [ORDERED_HEADERS]?: HeaderList };

const require = createRequire(import.meta.url);
const protocol = "kafkajs/src/protocol";
// deno-lint-ignore no-explicit-any
type Any = any;
const Decoder: Any = require(`${protocol}/decoder.js`);
const Encoder: Any = require(`${protocol}/encoder.js`);
const HeaderDecoder: Any = require(`${protocol}/recordBatch/header/v0/decoder.js`);
const HeaderEncoder: Any = require(`${protocol}/recordBatch/header/v0/index.js`);
const recordEncoderPath = require.resolve(`${protocol}/recordBatch/record/v0/index.js`);
const originalRecordEncoder: Any = require(recordEncoderPath);

const originalReadVarIntArray = Decoder.prototype.readVarIntArray;
Decoder.prototype.readVarIntArray = function (this: unknown, reader: unknown) {
  const array = originalReadVarIntArray.call(this, reader);
  if (reader !== HeaderDecoder || array.length === 0) return array;
  const ordered: HeaderList = array.map((
    h: { key: string; value: Buffer | null },
  ) => [h.key, h.value]);
  // The record decoder reduces this array into an object; attach the list to that object.
  array.reduce = function (...args: Parameters<typeof Array.prototype.reduce>) {
    const object = Array.prototype.reduce.apply(this, args);
    Object.defineProperty(object, ORDERED_HEADERS, { value: ordered, enumerable: false });
    return object;
  };
  return array;
};

function sizeOfHeaders(headers: HeaderList): number {
  let size = Encoder.sizeOfVarInt(headers.length);
  for (const [key, value] of headers) {
    size += Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value);
  }
  return size;
}

interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: HeadersObject;
}

function encodeRecord(args: RecordArgs) {
  const ordered = args.headers?.[ORDERED_HEADERS];
  if (!ordered) return originalRecordEncoder(args);
  const { offsetDelta = 0, timestampDelta = 0, key, value } = args;
  const written = writeRecord(offsetDelta, timestampDelta, key, value, ordered);
  if (written !== null) {
    // An Encoder holding the finished record, without the constructor's own allocation.
    const encoder = Object.create(Encoder.prototype);
    encoder.buf = written;
    encoder.offset = written.length;
    return encoder;
  }
  const sizeOfBody = 1 + Encoder.sizeOfVarLong(timestampDelta) + Encoder.sizeOfVarInt(offsetDelta) +
    Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value) + sizeOfHeaders(ordered);
  // Sized up front: kafkajs's default 512-byte buffer would grow and copy for most records.
  return new Encoder(sizeOfBody + 10)
    .writeVarInt(sizeOfBody)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarIntArray(ordered.map(([k, v]) => HeaderEncoder({ key: k, value: v })));
}
require.cache[recordEncoderPath]!.exports = encodeRecord;

/** The ordered headers of a consumed kafkajs message. */
export function headersOf(headers: HeadersObject | undefined): HeaderList {
  if (!headers) return [];
  const ordered = headers[ORDERED_HEADERS];
  if (ordered) return ordered;
  // Not decoded from the wire (should not happen for consumed records): expand the object.
  const list: HeaderList = [];
  for (const [k, v] of Object.entries(headers)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      list.push([k, item == null ? null : Buffer.from(item as Buffer)]);
    }
  }
  return list;
}

// One shared object for the common record without headers (kafkajs only reads it).
const NO_HEADERS: HeadersObject = Object.freeze(
  Object.defineProperty({}, ORDERED_HEADERS, { value: Object.freeze([]), enumerable: false }),
);

/** A headers object for kafkajs's producer that is written on the wire exactly as `list`. */
export function headersFor(list: HeaderList): HeadersObject {
  if (list.length === 0) return NO_HEADERS;
  const object: HeadersObject = {};
  Object.defineProperty(object, ORDERED_HEADERS, { value: list, enumerable: false });
  return object;
}
