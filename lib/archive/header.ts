/**
 * The chunk header: a CBOR map at the start of every chunk file that describes it
 * without decompressing anything, so a chunk file alone is self-describing.
 */

import { checkSummary, FieldReader } from "./fields.ts";
import { cborInt, type Codec, CODECS, FORMAT_VERSION, TIMESTAMP_TYPES } from "./format.ts";
import type { TimestampType } from "./format.ts";

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
}

/** An ISO 8601 instant as `Date.prototype.toISOString` writes it. */
export const ISO_INSTANT = /^\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The header as a CBOR-ready map: integers beyond 32 bits as real CBOR integers. */
export function headerToCbor(header: ChunkHeader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(header)) {
    out[name] = typeof value === "number" ? cborInt(value) : value;
  }
  return out;
}

/**
 * Reads and validates a decoded header map; fields it does not know are ignored (a
 * newer writer may add optional ones). Throws `IntegrityError` naming `key`.
 */
export function parseHeader(raw: unknown, key: string): ChunkHeader {
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
  if (header.formatVersion !== FORMAT_VERSION) {
    r.fail(`header says format version ${header.formatVersion}, the file says ${FORMAT_VERSION}`);
  }
  if (header.codec === "none" && header.compressedBytes !== header.uncompressedBytes) {
    r.fail("an uncompressed body must have compressedBytes equal to uncompressedBytes");
  }
  checkSummary(header, (problem) => r.fail(problem));
  return header;
}
