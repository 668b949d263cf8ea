/**
 * Kafka's variable-length integers (zigzag varints and varlongs, as in protobuf), read
 * from and written into plain byte arrays.
 */

/** A read position in one byte array. */
export interface Cursor {
  buf: Uint8Array;
  at: number;
}

/** A zigzag varint, computed exactly as kafkajs's Decoder.readVarInt does (32-bit). */
export function readVarInt(c: Cursor): number {
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
export function readVarLong(c: Cursor): number | bigint {
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

/** Varint-length-prefixed bytes (a view, not a copy); length -1 is null. */
export function readBytes(c: Cursor): Uint8Array | null {
  const length = readVarInt(c);
  if (length === -1) return null;
  const start = c.at;
  c.at += length;
  return c.buf.subarray(start, c.at);
}

const utf8 = new TextDecoder();

/** A varint-length-prefixed UTF-8 string; length -1 is null. */
export function readString(c: Cursor): string | null {
  const bytes = readBytes(c);
  return bytes === null ? null : utf8.decode(bytes);
}

/** Zigzag form of a 32-bit integer. */
export const zigzag = (n: number): number => (n << 1) ^ (n >> 31);

/** Bytes of the unsigned varint `u` (a zigzag form). */
export function sizeOfUVarInt(u: number): number {
  let size = 1;
  while (u >= 0x80) {
    size++;
    u >>>= 7;
  }
  return size;
}

/** Writes the unsigned varint `u` at `at`; returns where it ends. */
export function writeUVarInt(buf: Uint8Array, at: number, u: number): number {
  while (u >= 0x80) {
    buf[at++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[at++] = u;
  return at;
}

/** Bytes of varint-length-prefixed `bytes` (null: length -1). */
export const sizeOfBytes = (bytes: Uint8Array | null): number =>
  bytes === null ? 1 : sizeOfUVarInt(zigzag(bytes.length)) + bytes.length;

/** Writes varint-length-prefixed `bytes` at `at`; returns where they end. */
export function writeBytes(buf: Uint8Array, at: number, bytes: Uint8Array | null): number {
  if (bytes === null) return writeUVarInt(buf, at, zigzag(-1));
  at = writeUVarInt(buf, at, zigzag(bytes.length));
  buf.set(bytes, at);
  return at + bytes.length;
}

/** Bytes of the zigzag varlong of any safe integer (Number arithmetic: no 32-bit truncation). */
export function sizeOfVarLong(n: number): number {
  let u = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (u >= 0x80) {
    size++;
    u = Math.floor(u / 128);
  }
  return size;
}

/** Writes the zigzag varlong of a safe integer at `at`; returns where it ends. */
export function writeVarLong(buf: Uint8Array, at: number, n: number): number {
  let u = n >= 0 ? n * 2 : -n * 2 - 1;
  while (u >= 0x80) {
    buf[at++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[at++] = u;
  return at;
}
