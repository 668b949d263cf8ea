/**
 * Writing a chunk file. Records are validated, encoded as CBOR and compressed as they
 * arrive (`ChunkWriter.append`), so an open chunk holds compressed bytes instead of
 * record objects; `finish` adds the header and describes the file (index entry, checksum).
 */

import { sha256Hex } from "./checksum.ts";
import { type Compressor, createCompressor } from "./codec.ts";
import { type Codec, CODECS, encodeCborTransient, FORMAT_VERSION, MAGIC } from "./format.ts";
import { ENCRYPTED_FORMAT_VERSION } from "./format.ts";
import { type EncryptionKey, prepareSeal, seal, TAG_BYTES, toHex } from "./encryption.ts";
import { PREAMBLE_BYTES, TIMESTAMP_TYPES, type TimestampType } from "./format.ts";
import { type ChunkHeader, headerToCbor } from "./header.ts";
import type { ChunkIndexEntry } from "./index_entry.ts";
import { chunkKey } from "./keys.ts";
import type { ArchivedRecord } from "./record.ts";
import { encodeRecordRows } from "./record_cbor.ts";

/** What the writer of a chunk decides when it opens it. */
export interface ChunkStart {
  topic: string;
  partition: number;
  /** First offset the chunk covers: where the consumer started it. */
  from: number;
  timestampType: TimestampType;
  codec: Codec;
  /** Compression level; default: `DEFAULT_LEVELS` of codec.ts. */
  level?: number;
  /**
   * Encrypt the body (format version 2, docs/FORMAT.md section 11) with a fresh data key
   * wrapped by this key; absent: an unencrypted version 1 chunk.
   */
  encryption?: EncryptionKey;
}

/** Everything a writer decides, for writing a chunk in one call. */
export interface ChunkMeta extends ChunkStart {
  /** Last offset it covers: the consumer's position minus one when it was sealed. */
  to: number;
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

// The body is an indefinite-length CBOR array (docs/FORMAT.md 3.2): its length is not
// known until the chunk is sealed, and its first byte is compressed long before that.
const ARRAY_START = Uint8Array.of(0x9f);
const ARRAY_BREAK = Uint8Array.of(0xff);
const EMPTY_BODY = Uint8Array.of(0x9f, 0xff);
const NOTHING = new Uint8Array(0);

/**
 * A chunk being filled. Append records in strictly increasing offset order from `from`
 * on; `finish` seals it. A record that breaks the rules throws `RangeError`/`TypeError`
 * (a bug of the caller) and leaves the chunk unchanged.
 *
 * @example
 * ```ts
 * const writer = new ChunkWriter({ topic: "orders", partition: 0, from: 0, timestampType: "CreateTime", codec: "zstd" });
 * await writer.append(records);
 * await storeChunk(storage, await writer.finish(9));
 * ```
 */
export class ChunkWriter {
  readonly #start: ChunkStart;
  readonly #compressor: Compressor;
  #count = 0;
  #firstOffset: number | null = null;
  #lastOffset: number | null = null;
  #minTimestamp = Infinity;
  #maxTimestamp = -Infinity;
  #uncompressedBytes = ARRAY_START.length + ARRAY_BREAK.length;
  readonly #gaps: Array<[number, number]> = [];
  /** Whether the body's first byte has gone to the compressor. */
  #opened = false;
  #closed = false;

  constructor(start: ChunkStart) {
    if (!CODECS.includes(start.codec)) throw new RangeError(`Unknown codec: ${start.codec}`);
    if (!TIMESTAMP_TYPES.includes(start.timestampType)) {
      throw new RangeError(`Unknown timestamp type: ${start.timestampType}`);
    }
    this.#start = start;
    this.#compressor = createCompressor(start.codec, start.level);
  }

  /** Records appended so far. */
  get count(): number {
    return this.#count;
  }

  /** Appends `records` (validated first, all or none). */
  async append(records: readonly ArchivedRecord[]): Promise<void> {
    if (this.#closed) throw new Error("ChunkWriter: append after finish or discard");
    if (records.length === 0) return;
    this.#check(records);
    // The body's opening byte goes before its first rows (and is counted from the start).
    const prefix = this.#opened ? NOTHING : ARRAY_START;
    const piece = encodeRecordRows(records, prefix);
    this.#uncompressedBytes += piece.length - prefix.length;
    this.#opened = true;
    await this.#compressor.write(piece);
  }

  /**
   * Seals the chunk as covering [`from`, `to`]: `to` must be at least the last offset
   * appended. The writer cannot be used afterwards.
   */
  async finish(to: number, createdAt = new Date()): Promise<EncodedChunk> {
    if (this.#closed) throw new Error("ChunkWriter: finish after finish or discard");
    const { topic, partition, from, timestampType, codec } = this.#start;
    const key = chunkKey(topic, partition, from, to);
    if (this.#lastOffset !== null && this.#lastOffset > to) {
      throw new RangeError(`Cannot encode ${key}: it holds offset ${this.#lastOffset}`);
    }
    this.#closed = true;
    await this.#compressor.write(this.#opened ? ARRAY_BREAK : EMPTY_BODY);
    const compressed = await this.#compressor.end();
    const gaps = [...this.#gaps];
    const next = this.#lastOffset === null ? from : this.#lastOffset + 1;
    if (next <= to) gaps.push([next, to]);
    const count = this.#count;
    const encryption = this.#start.encryption;
    const sealed = encryption ? await prepareSeal(encryption) : null;
    const formatVersion = sealed ? ENCRYPTED_FORMAT_VERSION : FORMAT_VERSION;
    const compressedBytes = compressed.reduce((sum, piece) => sum + piece.length, 0);
    const header: ChunkHeader = {
      formatVersion,
      topic,
      partition,
      from,
      to,
      firstOffset: this.#firstOffset,
      lastOffset: this.#lastOffset,
      count,
      minTimestamp: count ? this.#minTimestamp : null,
      maxTimestamp: count ? this.#maxTimestamp : null,
      timestampType,
      codec,
      uncompressedBytes: this.#uncompressedBytes,
      compressedBytes,
      createdAt: createdAt.toISOString(),
      ...(sealed ? { encryption: sealed.sealing } : {}),
    };
    // The header is encoded into a shared buffer: copied into the file before any await.
    const headerBytes = encodeCborTransient(headerToCbor(header));
    const bodyOffset = PREAMBLE_BYTES + headerBytes.length;
    const tag = sealed ? TAG_BYTES : 0;
    const bytes = new Uint8Array(bodyOffset + compressedBytes + tag);
    bytes.set(MAGIC, 0);
    bytes[MAGIC.length] = formatVersion;
    new DataView(bytes.buffer).setUint32(MAGIC.length + 1, headerBytes.length);
    bytes.set(headerBytes, PREAMBLE_BYTES);
    let at = bodyOffset;
    for (const piece of compressed) {
      bytes.set(piece, at);
      at += piece.length;
    }
    if (sealed) {
      // Authenticated data: the preamble and the header, so neither can change or move.
      const body = bytes.subarray(bodyOffset, bodyOffset + compressedBytes);
      bytes.set(await seal(sealed, body, bytes.subarray(0, bodyOffset)), bodyOffset);
    }
    const sha256 = sha256Hex(bytes);
    const { firstOffset, lastOffset, minTimestamp, maxTimestamp, uncompressedBytes } = header;
    const entry: ChunkIndexEntry = {
      formatVersion,
      key,
      topic,
      partition,
      from,
      to,
      firstOffset,
      lastOffset,
      count,
      minTimestamp,
      maxTimestamp,
      timestampType,
      codec,
      bytes: bytes.length,
      uncompressedBytes,
      sha256,
      gaps,
      createdAt: header.createdAt,
      ...(sealed
        ? {
          encryption: { keyId: sealed.sealing.keyId, keyCheck: toHex(sealed.sealing.keyCheck) },
        }
        : {}),
    };
    return { key, bytes, sha256, entry };
  }

  /** Drops the chunk unfinished and frees its compressor. */
  discard(): void {
    this.#closed = true;
    this.#compressor.destroy();
  }

  /** Checks `records` and takes note of their offsets and times, once every one has passed. */
  #check(records: readonly ArchivedRecord[]): void {
    const { topic, partition, from } = this.#start;
    const where = `${topic}/${partition} (chunk from ${from})`;
    const gaps: Array<[number, number]> = [];
    let previous = this.#lastOffset ?? from - 1;
    let minTimestamp = this.#minTimestamp;
    let maxTimestamp = this.#maxTimestamp;
    for (let i = 0; i < records.length; i++) {
      const { offset, timestamp, key, value, headers } = records[i];
      if (!Number.isSafeInteger(offset) || offset <= previous) {
        throw new RangeError(
          `Cannot encode ${where}: offset ${offset} does not follow ${previous}; offsets ` +
            `must increase strictly from ${from}`,
        );
      }
      if (!Number.isSafeInteger(timestamp)) {
        throw new RangeError(`Cannot encode ${where}: offset ${offset} has timestamp ${timestamp}`);
      }
      if (
        (key !== null && !(key instanceof Uint8Array)) ||
        (value !== null && !(value instanceof Uint8Array))
      ) {
        throw new TypeError(
          `Cannot encode ${where}: offset ${offset} key/value must be bytes or null`,
        );
      }
      checkHeaders(headers, where, offset);
      if (offset > previous + 1) gaps.push([previous + 1, offset - 1]);
      previous = offset;
      if (timestamp < minTimestamp) minTimestamp = timestamp;
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    }
    this.#firstOffset ??= records[0].offset;
    this.#lastOffset = previous;
    this.#count += records.length;
    this.#minTimestamp = minTimestamp;
    this.#maxTimestamp = maxTimestamp;
    this.#gaps.push(...gaps);
  }
}

/**
 * Encodes `records` (strictly increasing offsets inside [`from`, `to`]; gaps allowed)
 * as a chunk file in one call. Rejects with `RangeError`/`TypeError` for records that
 * break the rules: that is a bug of the caller, and nothing is written.
 *
 * @example
 * ```ts
 * const chunk = await encodeChunk(
 *   { topic: "orders", partition: 0, from: 0, to: 9, timestampType: "CreateTime", codec: "zstd" },
 *   records,
 * );
 * await storeChunk(storage, chunk);
 * ```
 */
export async function encodeChunk(
  meta: ChunkMeta,
  records: readonly ArchivedRecord[],
): Promise<EncodedChunk> {
  const writer = new ChunkWriter(meta);
  try {
    await writer.append(records);
    return await writer.finish(meta.to, meta.createdAt);
  } catch (error) {
    writer.discard();
    throw error;
  }
}

function checkHeaders(headers: unknown, where: string, offset: number): void {
  if (!Array.isArray(headers)) {
    throw new TypeError(`Cannot encode ${where}: offset ${offset} headers must be an array`);
  }
  for (const header of headers) {
    if (
      !Array.isArray(header) || header.length !== 2 || typeof header[0] !== "string" ||
      (header[1] !== null && !(header[1] instanceof Uint8Array))
    ) {
      throw new TypeError(
        `Cannot encode ${where}: offset ${offset} has a header that is not [name, bytes | null]`,
      );
    }
  }
}
