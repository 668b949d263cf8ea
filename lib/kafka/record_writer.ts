/**
 * One Kafka record (v2 record format) written straight into one buffer of its exact size.
 * kafkajs builds each record from a chain of small Encoders (one per header, a Buffer.from
 * per varint, zero-filled buffers that grow by copying): the restore profile showed Buffer
 * creation and copies at ~half of a producing Worker's time.
 *
 *   Record => Length:varint Attributes:int8 TimestampDelta:varlong OffsetDelta:varint
 *             Key:varint-bytes Value:varint-bytes Headers:[varint-string varint-bytes]
 */
import { Buffer } from "node:buffer";

/** Values whose zigzag form fits an unsigned 31-bit varint (kafkajs's int32 arithmetic). */
const VARINT_LIMIT = 2 ** 30;

const fitsVarInt = (n: unknown): n is number =>
  typeof n === "number" && Number.isInteger(n) && n > -VARINT_LIMIT && n < VARINT_LIMIT;

const zigzag = (n: number): number => (n << 1) ^ (n >> 31);

function sizeOfUVarInt(u: number): number {
  let size = 1;
  while (u >= 0x80) {
    size++;
    u >>>= 7;
  }
  return size;
}

function writeUVarInt(buf: Uint8Array, at: number, u: number): number {
  while (u >= 0x80) {
    buf[at++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[at++] = u;
  return at;
}

const sizeOfBytes = (bytes: Uint8Array | null): number =>
  bytes === null ? 1 : sizeOfUVarInt(zigzag(bytes.length)) + bytes.length;

function writeBytes(buf: Uint8Array, at: number, bytes: Uint8Array | null): number {
  if (bytes === null) return writeUVarInt(buf, at, zigzag(-1));
  at = writeUVarInt(buf, at, zigzag(bytes.length));
  buf.set(bytes, at);
  return at + bytes.length;
}

// Header names repeat from record to record: encode each once (bounded, names are few).
const nameCache = new Map<string, Uint8Array>();
const utf8 = new TextEncoder();
function nameBytes(name: string): Uint8Array {
  let bytes = nameCache.get(name);
  if (bytes === undefined) {
    bytes = utf8.encode(name);
    if (nameCache.size < 1024) nameCache.set(name, bytes);
  }
  return bytes;
}

const isBytes = (v: unknown): v is Uint8Array | null => v === null || v instanceof Uint8Array;

/**
 * The record's bytes, exactly as kafkajs's encoder would write them; null when a field is
 * outside this writer's fast path (a string key or value, a delta of 2^30 or more), for
 * which the caller falls back to kafkajs.
 */
export function writeRecord(
  offsetDelta: unknown,
  timestampDelta: unknown,
  key: unknown,
  value: unknown,
  headers: ReadonlyArray<readonly [string, Uint8Array | null]>,
): Buffer | null {
  if (!fitsVarInt(offsetDelta) || !fitsVarInt(timestampDelta)) return null;
  if (!isBytes(key) || !isBytes(value)) return null;
  const names = new Array<Uint8Array>(headers.length);
  let body = 1 + sizeOfUVarInt(zigzag(timestampDelta)) + sizeOfUVarInt(zigzag(offsetDelta)) +
    sizeOfBytes(key) + sizeOfBytes(value) + sizeOfUVarInt(zigzag(headers.length));
  for (let i = 0; i < headers.length; i++) {
    const [name, headerValue] = headers[i];
    if (!isBytes(headerValue)) return null;
    names[i] = nameBytes(name);
    body += sizeOfBytes(names[i]) + sizeOfBytes(headerValue);
  }
  if (body >= VARINT_LIMIT) return null;
  const buf = Buffer.allocUnsafe(sizeOfUVarInt(zigzag(body)) + body);
  let at = writeUVarInt(buf, 0, zigzag(body));
  buf[at++] = 0; // attributes: none are used in v2 records
  at = writeUVarInt(buf, at, zigzag(timestampDelta));
  at = writeUVarInt(buf, at, zigzag(offsetDelta));
  at = writeBytes(buf, at, key);
  at = writeBytes(buf, at, value);
  at = writeUVarInt(buf, at, zigzag(headers.length));
  for (let i = 0; i < headers.length; i++) {
    at = writeBytes(buf, at, names[i]);
    at = writeBytes(buf, at, headers[i][1]);
  }
  return buf;
}
