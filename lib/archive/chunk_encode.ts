/**
 * Writing a chunk file: validate the records once, encode them in one CBOR call,
 * compress, and describe the result (header, index entry, checksum) in the same pass.
 */

import { sha256Hex } from "./checksum.ts";
import { compress } from "./codec.ts";
import {
  cborInt,
  type Codec,
  CODECS,
  encodeCborTransient,
  FORMAT_VERSION,
  MAGIC,
} from "./format.ts";
import { PREAMBLE_BYTES, TIMESTAMP_TYPES, type TimestampType } from "./format.ts";
import { computeGaps } from "./gaps.ts";
import { type ChunkHeader, headerToCbor } from "./header.ts";
import type { ChunkIndexEntry } from "./index_entry.ts";
import { chunkKey } from "./keys.ts";
import type { ArchivedRecord } from "./record.ts";

/** What the writer of a chunk decides; everything else is derived from the records. */
export interface ChunkMeta {
  topic: string;
  partition: number;
  /** First offset the chunk covers: where the consumer started it. */
  from: number;
  /** Last offset it covers: the consumer's position minus one when it was sealed. */
  to: number;
  timestampType: TimestampType;
  codec: Codec;
  /** Compression level; default: zstd 3, gzip 6. */
  level?: number;
  /** Default: now. */
  createdAt?: Date;
}

/** A chunk ready to store: its key, file bytes, digest and index entry. */
export interface EncodedChunk {
  key: string;
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  sha256: string;
  entry: ChunkIndexEntry;
}

/**
 * Encodes `records` (strictly increasing offsets inside [`from`, `to`]; gaps allowed)
 * as a chunk file. Throws `RangeError`/`TypeError` for records that break the rules:
 * that is a bug of the caller, and nothing is written.
 *
 * @example
 * ```ts
 * const chunk = encodeChunk(
 *   { topic: "orders", partition: 0, from: 0, to: 9, timestampType: "CreateTime", codec: "zstd" },
 *   records,
 * );
 * await storeChunk(storage, chunk);
 * ```
 */
export function encodeChunk(meta: ChunkMeta, records: readonly ArchivedRecord[]): EncodedChunk {
  const { topic, partition, from, to, timestampType, codec } = meta;
  const key = chunkKey(topic, partition, from, to);
  if (!CODECS.includes(codec)) throw new RangeError(`Unknown codec: ${codec}`);
  if (!TIMESTAMP_TYPES.includes(timestampType)) {
    throw new RangeError(`Unknown timestamp type: ${timestampType}`);
  }

  // One pass: check each record and build its CBOR row, which shares the record's
  // byte arrays and header list (no copies before the single encode call).
  const rows = new Array(records.length);
  let previous = from - 1;
  let minTimestamp = Infinity;
  let maxTimestamp = -Infinity;
  for (let i = 0; i < records.length; i++) {
    const { offset, timestamp, key: k, value, headers } = records[i];
    if (!Number.isSafeInteger(offset) || offset <= previous || offset > to) {
      throw new RangeError(
        `Cannot encode ${key}: record ${i} has offset ${offset}; offsets must increase ` +
          `strictly inside ${from}-${to} (previous ${previous})`,
      );
    }
    if (!Number.isSafeInteger(timestamp)) {
      throw new RangeError(`Cannot encode ${key}: offset ${offset} has timestamp ${timestamp}`);
    }
    if (
      (k !== null && !(k instanceof Uint8Array)) ||
      (value !== null && !(value instanceof Uint8Array))
    ) {
      throw new TypeError(`Cannot encode ${key}: offset ${offset} key/value must be bytes or null`);
    }
    checkHeaders(headers, key, offset);
    previous = offset;
    if (timestamp < minTimestamp) minTimestamp = timestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    rows[i] = [cborInt(offset), cborInt(timestamp), k, value, headers];
  }

  const body = encodeCborTransient(rows);
  // Compression copies; "none" must copy too before the header reuses the CBOR buffer
  // (with `new Uint8Array`: `slice` of the Node Buffer cbor-x returns would not copy).
  const compressed = codec === "none" ? new Uint8Array(body) : compress(codec, body, meta.level);
  const count = records.length;
  const header: ChunkHeader = {
    formatVersion: FORMAT_VERSION,
    topic,
    partition,
    from,
    to,
    firstOffset: count ? records[0].offset : null,
    lastOffset: count ? records[count - 1].offset : null,
    count,
    minTimestamp: count ? minTimestamp : null,
    maxTimestamp: count ? maxTimestamp : null,
    timestampType,
    codec,
    uncompressedBytes: body.length,
    compressedBytes: compressed.length,
    createdAt: (meta.createdAt ?? new Date()).toISOString(),
  };
  const headerBytes = new Uint8Array(encodeCborTransient(headerToCbor(header)));

  const bytes = new Uint8Array(PREAMBLE_BYTES + headerBytes.length + compressed.length);
  bytes.set(MAGIC, 0);
  bytes[MAGIC.length] = FORMAT_VERSION;
  new DataView(bytes.buffer).setUint32(MAGIC.length + 1, headerBytes.length);
  bytes.set(headerBytes, PREAMBLE_BYTES);
  bytes.set(compressed, PREAMBLE_BYTES + headerBytes.length);

  const sha256 = sha256Hex(bytes);
  const gaps = computeGaps(from, to, offsetsOf(records));
  const entry: ChunkIndexEntry = {
    formatVersion: FORMAT_VERSION,
    key,
    topic,
    partition,
    from,
    to,
    firstOffset: header.firstOffset,
    lastOffset: header.lastOffset,
    count,
    minTimestamp: header.minTimestamp,
    maxTimestamp: header.maxTimestamp,
    timestampType,
    codec,
    bytes: bytes.length,
    uncompressedBytes: body.length,
    sha256,
    gaps,
    createdAt: header.createdAt,
  };
  return { key, bytes, sha256, entry };
}

/** The offsets of `records`, without building an array of them. */
export function* offsetsOf(records: readonly ArchivedRecord[]): Iterable<number> {
  for (let i = 0; i < records.length; i++) yield records[i].offset;
}

function checkHeaders(headers: unknown, key: string, offset: number): void {
  if (!Array.isArray(headers)) {
    throw new TypeError(`Cannot encode ${key}: offset ${offset} headers must be an array`);
  }
  for (const header of headers) {
    if (
      !Array.isArray(header) || header.length !== 2 || typeof header[0] !== "string" ||
      (header[1] !== null && !(header[1] instanceof Uint8Array))
    ) {
      throw new TypeError(
        `Cannot encode ${key}: offset ${offset} has a header that is not [name, bytes | null]`,
      );
    }
  }
}
