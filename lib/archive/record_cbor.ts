/**
 * Record rows of a chunk body (docs/FORMAT.md 3.2) written straight into one buffer of
 * their exact size: `[offset, timestamp, key, value, [[name, value], ...]]` per record.
 * The backup profile showed cbor-x's generic encoder, and the copy out of its shared
 * buffer, at a sixth of a consuming Worker's time; this writes each byte once.
 *
 * The bytes are the ones cbor-x writes for the same rows with `cborInt` integers (the
 * tests compare them): shortest forms for 32-bit integers, the 8-byte form beyond.
 */
import type { ArchivedRecord } from "./record.ts";
import { headerNameBytes as nameBytes } from "../util/header_name_bytes.ts";

const NULL = 0xf6;

/** Bytes of a CBOR head (major type + argument) for a length or a uint32. */
const headSize = (n: number): number => n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;

function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  const type = major << 5;
  if (n < 24) {
    out[at] = type | n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = type | 24;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = type | 25;
    out[at + 1] = n >>> 8;
    out[at + 2] = n & 0xff;
    return at + 3;
  }
  out[at] = type | 26;
  out[at + 1] = n >>> 24;
  out[at + 2] = (n >>> 16) & 0xff;
  out[at + 3] = (n >>> 8) & 0xff;
  out[at + 4] = n & 0xff;
  return at + 5;
}

/** Bytes of a safe integer: shortest head within 32 bits (either sign), else 9 bytes. */
function intSize(n: number): number {
  if (n >>> 0 === n) return headSize(n);
  if (n >> 0 === n) return headSize(-1 - n);
  return 9;
}

function writeInt(out: Uint8Array, at: number, n: number): number {
  if (n >>> 0 === n) return writeHead(out, at, 0, n);
  if (n >> 0 === n) return writeHead(out, at, 1, -1 - n);
  // Outside 32 bits: major type 0 or 1 with an 8-byte argument, as cbor-x writes a bigint.
  const major = n >= 0 ? 0 : 1;
  const u = n >= 0 ? n : -1 - n;
  out[at] = (major << 5) | 27;
  const high = Math.floor(u / 2 ** 32);
  const low = u - high * 2 ** 32;
  for (let i = 0; i < 4; i++) out[at + 1 + i] = (high >>> (24 - 8 * i)) & 0xff;
  for (let i = 0; i < 4; i++) out[at + 5 + i] = (low >>> (24 - 8 * i)) & 0xff;
  return at + 9;
}

const bytesSize = (b: Uint8Array | null): number => b === null ? 1 : headSize(b.length) + b.length;

function writeBytes(out: Uint8Array, at: number, b: Uint8Array | null, major = 2): number {
  if (b === null) {
    out[at] = NULL;
    return at + 1;
  }
  at = writeHead(out, at, major, b.length);
  out.set(b, at);
  return at + b.length;
}

/**
 * The CBOR rows of `records` (already validated by the caller), with `prefix` bytes
 * before them (the body's opening byte, for the first rows of a chunk).
 */
export function encodeRecordRows(
  records: readonly ArchivedRecord[],
  prefix: Uint8Array,
): Uint8Array {
  let size = prefix.length;
  for (let i = 0; i < records.length; i++) {
    const { offset, timestamp, key, value, headers } = records[i];
    size += 1 + intSize(offset) + intSize(timestamp) + bytesSize(key) + bytesSize(value) +
      headSize(headers.length);
    for (let h = 0; h < headers.length; h++) {
      const name = nameBytes(headers[h][0]);
      size += 1 + headSize(name.length) + name.length + bytesSize(headers[h][1]);
    }
  }
  const out = new Uint8Array(size);
  out.set(prefix);
  let at = prefix.length;
  for (let i = 0; i < records.length; i++) {
    const { offset, timestamp, key, value, headers } = records[i];
    out[at++] = 0x85; // array of 5
    at = writeInt(out, at, offset);
    at = writeInt(out, at, timestamp);
    at = writeBytes(out, at, key);
    at = writeBytes(out, at, value);
    at = writeHead(out, at, 4, headers.length);
    for (let h = 0; h < headers.length; h++) {
      out[at++] = 0x82; // [name, value]
      at = writeBytes(out, at, nameBytes(headers[h][0]), 3);
      at = writeBytes(out, at, headers[h][1]);
    }
  }
  if (at !== size) throw new Error(`encodeRecordRows: wrote ${at} of ${size} bytes`);
  return out;
}
