/**
 * The chunk header: a CBOR map at the start of every chunk file that describes it
 * without decompressing anything, so a chunk file alone is self-describing.
 */

import { checkSummary, FieldReader } from "./fields.ts";
import {
  cborInt,
  type Codec,
  CODECS,
  ENCRYPTED_FORMAT_VERSION,
  TIMESTAMP_TYPES,
} from "./format.ts";
import type { TimestampType } from "./format.ts";
import {
  CIPHER,
  IV_BYTES,
  KEY_CHECK_BYTES,
  KEY_ID,
  KEY_WRAP,
  type Sealing,
  WRAPPED_KEY_BYTES,
} from "./encryption.ts";

/** Every field of a chunk header (docs/FORMAT.md, "Chunk header"). */
export interface ChunkHeader {
  formatVersion: number;
  topic: string;
  partition: number;
  /** First offset the chunk covers (inclusive), whether or not a record has it. */
  from: number;
  /** Last offset the chunk covers (inclusive). */
  to: number;
  /** Offset of the first record, `null` when the chunk has none. */
  firstOffset: number | null;
  lastOffset: number | null;
  count: number;
  minTimestamp: number | null;
  maxTimestamp: number | null;
  timestampType: TimestampType;
  codec: Codec;
  /** Size of the CBOR body before compression. */
  uncompressedBytes: number;
  /**
   * Size of the body as stored, which ends the file: truncation or appended bytes are
   * caught for every codec, even where a decompressor stops early without complaint.
   */
  compressedBytes: number;
  /** When the chunk was written, ISO 8601 in UTC. */
  createdAt: string;
  /**
   * Version 2 only: how the body is encrypted (its key id, wrapped data key and nonce).
   * The body as stored is then `compressedBytes` of ciphertext plus the 16-byte tag.
   */
  encryption?: Sealing;
}

/** An ISO 8601 instant as `Date.prototype.toISOString` writes it. */
export const ISO_INSTANT = /^\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The header as a CBOR-ready map: integers beyond 32 bits as real CBOR integers. */
export function headerToCbor(header: ChunkHeader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(header)) {
    if (value !== undefined) out[name] = typeof value === "number" ? cborInt(value) : value;
  }
  return out;
}

/**
 * Reads and validates a decoded header map; fields it does not know are ignored (a
 * newer writer may add optional ones). `version` is the file's version byte. Throws
 * `IntegrityError` naming `key`.
 */
export function parseHeader(raw: unknown, key: string, version: number): ChunkHeader {
  const r = new FieldReader(raw, `chunk header of ${key}`);
  const header: ChunkHeader = {
    formatVersion: r.int("formatVersion"),
    topic: r.string("topic", /^[a-zA-Z0-9._-]{1,249}$/),
    partition: r.int("partition", 0),
    from: r.int("from", 0),
    to: r.int("to", 0),
    firstOffset: r.intOrNull("firstOffset", 0),
    lastOffset: r.intOrNull("lastOffset", 0),
    count: r.int("count", 0),
    minTimestamp: r.intOrNull("minTimestamp"),
    maxTimestamp: r.intOrNull("maxTimestamp"),
    timestampType: r.oneOf("timestampType", TIMESTAMP_TYPES),
    codec: r.oneOf("codec", CODECS),
    uncompressedBytes: r.int("uncompressedBytes", 1),
    compressedBytes: r.int("compressedBytes", 0),
    createdAt: r.string("createdAt", ISO_INSTANT),
  };
  if (header.formatVersion !== version) {
    r.fail(`header says format version ${header.formatVersion}, the file says ${version}`);
  }
  if (version === ENCRYPTED_FORMAT_VERSION) {
    header.encryption = parseSealing(r.raw("encryption"), `encryption of ${key}`);
  } else if (r.raw("encryption") !== undefined) {
    r.fail(`an unencrypted (version ${version}) chunk has an "encryption" field`);
  }
  if (header.codec === "none" && header.compressedBytes !== header.uncompressedBytes) {
    r.fail("an uncompressed body must have compressedBytes equal to uncompressedBytes");
  }
  checkSummary(header, (problem) => r.fail(problem));
  return header;
}

/** The `encryption` map of a version 2 header (docs/FORMAT.md, section 11.1). */
function parseSealing(raw: unknown, what: string): Sealing {
  const r = new FieldReader(raw, what);
  const bytes = (name: string, length: number): Uint8Array => {
    const value = r.raw(name);
    if (value instanceof Uint8Array && value.length === length) return value;
    return r.fail(`field "${name}" must be a byte string of ${length} bytes`);
  };
  return {
    algorithm: r.oneOf("algorithm", [CIPHER]),
    keyWrap: r.oneOf("keyWrap", [KEY_WRAP]),
    keyId: r.string("keyId", KEY_ID),
    keyCheck: bytes("keyCheck", KEY_CHECK_BYTES),
    wrappedKey: bytes("wrappedKey", WRAPPED_KEY_BYTES),
    iv: bytes("iv", IV_BYTES),
  };
}
