/**
 * One Kafka record (v2 record format) written straight into a buffer of its exact size:
 *
 *   Record => Length:varint Attributes:int8 TimestampDelta:varlong OffsetDelta:varint
 *             Key:varint-bytes Value:varint-bytes Headers:[varint-string varint-bytes]
 */
import { headerNameBytes as nameBytes } from "../../util/header_name_bytes.ts";
import {
  sizeOfBytes,
  sizeOfUVarInt,
  sizeOfVarLong,
  writeBytes,
  writeUVarInt,
  writeVarLong,
  zigzag,
} from "./varint.ts";

/** Values whose zigzag form fits an unsigned 31-bit varint (kafkajs's int32 arithmetic). */
const VARINT_LIMIT = 2 ** 30;

const fitsVarInt = (n: unknown): n is number =>
  typeof n === "number" && Number.isInteger(n) && n > -VARINT_LIMIT && n < VARINT_LIMIT;

const isBytes = (v: unknown): v is Uint8Array | null => v === null || v instanceof Uint8Array;

/** A record's fields, as a batch writes them. */
export interface RecordFields {
  offsetDelta: number;
  /** Any safe integer: written as a varlong. */
  timestampDelta: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: ReadonlyArray<readonly [string, Uint8Array | null]>;
}

/**
 * Bytes of the record's body (after its length prefix), or -1 when a field is outside
 * what this writer takes (not bytes, a delta that is not a safe integer).
 */
export function sizeOfRecordBody(
  offsetDelta: unknown,
  timestampDelta: unknown,
  key: unknown,
  value: unknown,
  headers: ReadonlyArray<readonly [string, unknown]>,
): number {
  if (!fitsVarInt(offsetDelta) || !Number.isSafeInteger(timestampDelta)) return -1;
  if (!isBytes(key) || !isBytes(value)) return -1;
  let body = 1 + sizeOfVarLong(timestampDelta as number) + sizeOfUVarInt(zigzag(offsetDelta)) +
    sizeOfBytes(key) + sizeOfBytes(value) + sizeOfUVarInt(zigzag(headers.length));
  for (let i = 0; i < headers.length; i++) {
    const [name, headerValue] = headers[i];
    if (typeof name !== "string" || !isBytes(headerValue)) return -1;
    body += sizeOfBytes(nameBytes(name)) + sizeOfBytes(headerValue);
  }
  return body < VARINT_LIMIT ? body : -1;
}

/** Bytes of a whole record whose body is `body` bytes. */
export const sizeOfRecord = (body: number): number => sizeOfUVarInt(zigzag(body)) + body;

/**
 * Writes a record whose body {@linkcode sizeOfRecordBody} measured as `body` bytes at
 * `at`; returns where it ends.
 */
export function writeRecordAt(buf: Uint8Array, at: number, body: number, r: RecordFields): number {
  at = writeUVarInt(buf, at, zigzag(body));
  buf[at++] = 0; // attributes: none are used in v2 records
  at = writeVarLong(buf, at, r.timestampDelta);
  at = writeUVarInt(buf, at, zigzag(r.offsetDelta));
  at = writeBytes(buf, at, r.key);
  at = writeBytes(buf, at, r.value);
  at = writeUVarInt(buf, at, zigzag(r.headers.length));
  for (let i = 0; i < r.headers.length; i++) {
    at = writeBytes(buf, at, nameBytes(r.headers[i][0]));
    at = writeBytes(buf, at, r.headers[i][1]);
  }
  return at;
}

/**
 * The record's bytes, exactly as kafkajs's encoder would write them; null when a field is
 * outside this writer (a string key or value, a delta of 2^30 or more).
 */
export function encodeRecord(
  offsetDelta: unknown,
  timestampDelta: unknown,
  key: unknown,
  value: unknown,
  headers: ReadonlyArray<readonly [string, Uint8Array | null]>,
): Uint8Array | null {
  // kafkajs's own limit for the deltas of a record encoded on its own.
  if (!fitsVarInt(timestampDelta)) return null;
  const body = sizeOfRecordBody(offsetDelta, timestampDelta, key, value, headers);
  if (body < 0) return null;
  const size = sizeOfRecord(body);
  const buf = new Uint8Array(size);
  const fields = { offsetDelta, timestampDelta, key, value, headers } as RecordFields;
  const end = writeRecordAt(buf, 0, body, fields);
  if (end !== size) throw new Error(`encodeRecord: wrote ${end} of ${size} bytes`);
  return buf;
}
