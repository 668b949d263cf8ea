/**
 * Reading a chunk file. Every way a file can be damaged (wrong magic, unknown version,
 * truncation, a corrupt frame, a count that does not add up) ends in an `IntegrityError`
 * naming the chunk; none can yield a wrong record silently.
 */

import { IntegrityError } from "../errors.ts";
import { decompress } from "./codec.ts";
import { type DecryptionKeys, open, TAG_BYTES, UnknownKeyError } from "./encryption.ts";
import { cborDecoder, FORMAT_VERSIONS, MAGIC, MAX_HEADER_BYTES, PREAMBLE_BYTES } from "./format.ts";
import { safeIntOf } from "./format.ts";
import { type ChunkHeader, parseHeader } from "./header.ts";
import { parseArchiveKey } from "./keys.ts";
import type { ArchivedRecord } from "./record.ts";

/** A decoded chunk. */
export interface DecodedChunk {
  header: ChunkHeader;
  /**
   * The records, in offset order. Their byte arrays are views into one decompressed
   * buffer (no per-record copy): copy one before keeping it for long on its own.
   */
  records: ArchivedRecord[];
}

/**
 * Reads only the preamble and header of a chunk file: cheap, no decompression.
 * Returns the header and where the body starts.
 */
export function decodeChunkHeader(
  bytes: Uint8Array,
  key: string,
): { header: ChunkHeader; bodyOffset: number } {
  const fail = (problem: string, cause?: unknown): never => {
    throw new IntegrityError(`Cannot open chunk ${key}: ${problem}`, { cause });
  };
  if (bytes.length < PREAMBLE_BYTES) {
    fail(`truncated (${bytes.length} bytes, no complete preamble)`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) fail("not a chunk file (bad magic bytes)");
  }
  const version = bytes[MAGIC.length];
  if (!FORMAT_VERSIONS.includes(version)) {
    fail(
      `format version ${version} is not supported (this reader knows ${
        FORMAT_VERSIONS.join(" and ")
      })`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length + 1);
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} is implausible`);
  const bodyOffset = PREAMBLE_BYTES + headerLength;
  if (bytes.length < bodyOffset) fail(`truncated inside the header (${bytes.length} bytes)`);
  let raw: unknown;
  try {
    raw = cborDecoder.decode(bytes.subarray(PREAMBLE_BYTES, bodyOffset));
  } catch (error) {
    fail("the header is not valid CBOR", error);
  }
  const header = parseHeader(raw, key, version);
  const named = parseArchiveKey(key);
  if (
    named !== null && (named.topic !== header.topic || named.partition !== header.partition ||
      named.from !== header.from || named.to !== header.to)
  ) {
    fail(`its header describes ${header.topic}/${header.partition} ${header.from}-${header.to}`);
  }
  return { header, bodyOffset };
}

/**
 * Decodes a whole unencrypted chunk file read from `key`. Does not check the SHA-256
 * (see `loadVerifiedChunk`), but checks everything the file says about itself. An
 * encrypted chunk needs {@linkcode decryptChunk} first.
 *
 * @example
 * ```ts
 * const { header, records } = decodeChunk(await storage.get(key), key);
 * ```
 */
export function decodeChunk(bytes: Uint8Array, key: string): DecodedChunk {
  const { header, bodyOffset } = decodeChunkHeader(bytes, key);
  if (header.encryption) throw new UnknownKeyError(`chunk ${key}`, header.encryption.keyId, {});
  return decodeChunkBody(header, bytes.subarray(bodyOffset), key);
}

/** A chunk whose body is decrypted: its header and its compressed body in the clear. */
export interface OpenedChunk {
  header: ChunkHeader;
  /** The body as an unencrypted chunk stores it (compressed with the header's codec). */
  body: Uint8Array;
}

/**
 * Reads the header of any chunk file and, for an encrypted one, decrypts and
 * authenticates its body with `keys` (the preamble and header are the authenticated
 * data). Throws IntegrityError (DecryptionError for an unknown key id, a wrong key or a
 * failed authentication) naming the chunk; nothing is returned that was not authenticated.
 *
 * @example
 * ```ts
 * const { header, body } = await decryptChunk(bytes, key, { "2024": keyBytes });
 * const { records } = decodeChunkBody(header, body, key);
 * ```
 */
export async function decryptChunk(
  bytes: Uint8Array,
  key: string,
  keys: DecryptionKeys | undefined,
): Promise<OpenedChunk> {
  const { header, bodyOffset } = decodeChunkHeader(bytes, key);
  const stored = bytes.subarray(bodyOffset);
  if (!header.encryption) return { header, body: stored };
  const expected = header.compressedBytes + TAG_BYTES;
  if (stored.length !== expected) {
    const how = stored.length < expected ? "truncated" : "has trailing bytes";
    throw new IntegrityError(
      `Cannot open chunk ${key}: ${how}: the encrypted body has ${stored.length} bytes, the ` +
        `header says ${header.compressedBytes} plus a ${TAG_BYTES}-byte tag`,
    );
  }
  const aad = bytes.subarray(0, bodyOffset);
  const body = await open(`chunk ${key}`, header.encryption, stored, aad, keys);
  return { header, body };
}

/**
 * Decodes the (decrypted) body of a chunk whose header is `header`: bounded
 * decompression, then every record checked against the header.
 */
export function decodeChunkBody(header: ChunkHeader, body: Uint8Array, key: string): DecodedChunk {
  const fail = (problem: string, cause?: unknown): never => {
    throw new IntegrityError(`Cannot open chunk ${key}: ${problem}`, { cause });
  };
  const stored = body.length;
  if (stored !== header.compressedBytes) {
    const how = stored < header.compressedBytes ? "truncated" : "has trailing bytes";
    fail(`${how}: the body has ${stored} bytes, the header says ${header.compressedBytes}`);
  }
  let plain: Uint8Array;
  try {
    plain = decompress(header.codec, body, header.uncompressedBytes);
  } catch (error) {
    return fail(`cannot decompress the ${header.codec} body (truncated or damaged)`, error);
  }
  if (plain.length !== header.uncompressedBytes) {
    fail(`the body has ${plain.length} bytes, the header says ${header.uncompressedBytes}`);
  }
  let rows: unknown;
  try {
    rows = cborDecoder.decode(plain);
  } catch (error) {
    fail("the body is not valid CBOR", error);
  }
  if (!Array.isArray(rows)) return fail("the body is not an array of records");
  if (rows.length !== header.count) {
    fail(`it holds ${rows.length} records, the header says ${header.count}`);
  }
  const records = new Array<ArchivedRecord>(rows.length);
  let previous = header.from - 1;
  for (let i = 0; i < rows.length; i++) {
    const record = toRecord(rows[i]);
    if (record === null) return fail(`record ${i} is malformed`);
    if (record.offset <= previous || record.offset > header.to) {
      const range = `${header.from}-${header.to}`;
      return fail(`record ${i} has offset ${record.offset}, out of order or outside ${range}`);
    }
    previous = record.offset;
    records[i] = record;
  }
  checkAgainstHeader(header, records, fail);
  return { header, records };
}

/** One CBOR row `[offset, timestamp, key, value, headers]` as a record, or `null`. */
function toRecord(row: unknown): ArchivedRecord | null {
  if (!Array.isArray(row) || row.length !== 5) return null;
  const offset = safeIntOf(row[0]);
  const timestamp = safeIntOf(row[1]);
  const [, , key, value, headers] = row;
  if (offset === undefined || offset < 0 || timestamp === undefined) return null;
  if (key !== null && !(key instanceof Uint8Array)) return null;
  if (value !== null && !(value instanceof Uint8Array)) return null;
  if (!Array.isArray(headers)) return null;
  for (const header of headers) {
    if (
      !Array.isArray(header) || header.length !== 2 || typeof header[0] !== "string" ||
      (header[1] !== null && !(header[1] instanceof Uint8Array))
    ) return null;
  }
  return { offset, timestamp, key, value, headers };
}

function checkAgainstHeader(
  header: ChunkHeader,
  records: ArchivedRecord[],
  fail: (problem: string) => never,
): void {
  if (records.length === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (const { timestamp } of records) {
    if (timestamp < min) min = timestamp;
    if (timestamp > max) max = timestamp;
  }
  if (records[0].offset !== header.firstOffset || records.at(-1)!.offset !== header.lastOffset) {
    fail("first or last record offset disagrees with the header");
  }
  if (min !== header.minTimestamp || max !== header.maxTimestamp) {
    fail("record timestamps disagree with the header");
  }
}
