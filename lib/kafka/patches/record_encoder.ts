/**
 * Replaces: kafkajs's record encoder (recordBatch/record/v0), for the messages that go
 * through kafkajs's own batch encoding (compressed ones). Why: kafkajs takes headers as an
 * object, which loses the order between names and cannot write a null value; a message of
 * ours carries its ordered header list in its record (adapters.ts), written as it is.
 * Messages without one are kafkajs's business, encoded by kafkajs.
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { producedRecord } from "../adapters.ts";
import { encodeRecord } from "../protocol/record_encoding.ts";
import { Encoder, encoderOf } from "./kafkajs_encoder.ts";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;
const protocol = "kafkajs/src/protocol";
/** kafkajs's modules this patch uses, required by `install` (patches/install.ts says why). */
let kafkajs: { HeaderEncoder: Any; recordEncoder: Any };

type HeaderList = ReadonlyArray<readonly [string, Uint8Array | null]>;

interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | null;
  value: Buffer | null;
  record?: unknown;
}

// kafkajs writes anything that is not a Buffer as String(value): a Uint8Array is wrapped.
const asBuffer = (bytes: Uint8Array | null): Buffer | null =>
  bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function sizeOfHeaders(headers: HeaderList): number {
  let size = Encoder.sizeOfVarInt(headers.length);
  for (const [key, value] of headers) {
    size += Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(asBuffer(value));
  }
  return size;
}

function encode(args: RecordArgs) {
  const record = producedRecord(args);
  if (!record) return kafkajs.recordEncoder(args);
  const { offsetDelta = 0, timestampDelta = 0, key, value } = args;
  const headers = record.headers;
  const written = encodeRecord(offsetDelta, timestampDelta, key, value, headers);
  if (written !== null) {
    return encoderOf(Buffer.from(written.buffer, written.byteOffset, written.length));
  }
  const sizeOfBody = 1 + Encoder.sizeOfVarLong(timestampDelta) + Encoder.sizeOfVarInt(offsetDelta) +
    Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value) + sizeOfHeaders(headers);
  // Sized up front: kafkajs's default 512-byte buffer would grow and copy for most records.
  return new Encoder(sizeOfBody + 10)
    .writeVarInt(sizeOfBody)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarIntArray(
      headers.map(([k, v]) => kafkajs.HeaderEncoder({ key: k, value: asBuffer(v) })),
    );
}

export function install(): void {
  const path = require.resolve(`${protocol}/recordBatch/record/v0/index.js`);
  kafkajs = {
    HeaderEncoder: require(`${protocol}/recordBatch/header/v0/index.js`),
    recordEncoder: require(path),
  };
  require.cache[path]!.exports = encode;
}
