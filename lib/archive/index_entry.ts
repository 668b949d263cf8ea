/**
 * The index entry of a chunk: a small JSON object stored last, whose existence makes the
 * chunk part of the archive. A restore plans from entries alone, never opening a chunk
 * it does not need.
 */

import { IntegrityError } from "../errors.ts";
import { checkSummary, FieldReader } from "./fields.ts";
import { type Codec, CODECS, ENCRYPTED_FORMAT_VERSION, FORMAT_VERSIONS } from "./format.ts";
import { PREAMBLE_BYTES, TIMESTAMP_TYPES } from "./format.ts";
import { KEY_CHECK_BYTES, KEY_ID } from "./encryption.ts";
import type { TimestampType } from "./format.ts";
import { gapSize } from "./gaps.ts";
import { ISO_INSTANT } from "./header.ts";
import { chunkKeyOf, parseArchiveKey } from "./keys.ts";

/** Everything a reader needs to know about a chunk without opening it (docs/FORMAT.md). */
export interface ChunkIndexEntry {
  formatVersion: number;
  /** Key of the chunk file. */
  key: string;
  topic: string;
  partition: number;
  /** First offset the chunk covers (inclusive). */
  from: number;
  /** Last offset the chunk covers (inclusive). */
  to: number;
  firstOffset: number | null;
  lastOffset: number | null;
  count: number;
  minTimestamp: number | null;
  maxTimestamp: number | null;
  timestampType: TimestampType;
  codec: Codec;
  /** Size of the chunk file. */
  bytes: number;
  uncompressedBytes: number;
  /** Lowercase hex SHA-256 of the whole chunk file. */
  sha256: string;
  /** Inclusive offset ranges inside [from, to] that hold no record, ascending. */
  gaps: Array<[number, number]>;
  createdAt: string;
  /**
   * Version 2 (encrypted) only: the key id and key check value of the key the chunk's
   * data key is wrapped with, so a restore can find a missing or wrong key before it
   * opens any chunk. The chunk's own (authenticated) header must say the same.
   */
  encryption?: EntryEncryption;
}

/** What an index entry says of an encrypted chunk's key. */
export interface EntryEncryption {
  keyId: string;
  /** Lowercase hex of the key check value (docs/FORMAT.md, section 11). */
  keyCheck: string;
}

const encoder = new TextEncoder();

/** The entry as stored: one line of JSON, UTF-8. */
export function serializeIndexEntry(entry: ChunkIndexEntry): Uint8Array {
  return encoder.encode(JSON.stringify(entry) + "\n");
}

/**
 * Parses and validates a stored entry read from `indexKey`: every field, its agreement
 * with the key it was found under, and that count and gaps add up to the range.
 * Throws `IntegrityError` naming `indexKey`.
 */
export function parseIndexEntry(data: Uint8Array, indexKey: string): ChunkIndexEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch (error) {
    throw new IntegrityError(`Cannot read index entry ${indexKey}: not JSON`, { cause: error });
  }
  const r = new FieldReader(raw, `index entry ${indexKey}`);
  const formatVersion = r.int("formatVersion");
  if (!FORMAT_VERSIONS.includes(formatVersion)) {
    r.fail(
      `format version ${formatVersion} is not supported (this reader knows ${
        FORMAT_VERSIONS.join(" and ")
      })`,
    );
  }
  const entry: ChunkIndexEntry = {
    formatVersion,
    key: r.string("key"),
    topic: r.string("topic"),
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
    bytes: r.int("bytes", PREAMBLE_BYTES),
    uncompressedBytes: r.int("uncompressedBytes", 1),
    sha256: r.string("sha256", /^[0-9a-f]{64}$/),
    gaps: readGaps(r),
    createdAt: r.string("createdAt", ISO_INSTANT),
  };
  if (formatVersion === ENCRYPTED_FORMAT_VERSION) {
    const e = new FieldReader(r.raw("encryption"), `encryption of index entry ${indexKey}`);
    entry.encryption = {
      keyId: e.string("keyId", KEY_ID),
      keyCheck: e.string("keyCheck", new RegExp(`^[0-9a-f]{${KEY_CHECK_BYTES * 2}}$`)),
    };
  } else if (r.raw("encryption") !== undefined) {
    r.fail(`an unencrypted (version ${formatVersion}) entry has an "encryption" field`);
  }
  const named = parseArchiveKey(entry.key);
  if (
    named?.kind !== "chunk" || named.topic !== entry.topic ||
    named.partition !== entry.partition || named.from !== entry.from || named.to !== entry.to
  ) {
    r.fail(
      `key ${entry.key} does not name a chunk of ${entry.topic}/${entry.partition} ` +
        `covering ${entry.from}-${entry.to}`,
    );
  }
  const found = parseArchiveKey(indexKey);
  if (found !== null && (found.kind !== "index" || chunkKeyOf(indexKey) !== entry.key)) {
    r.fail(`it describes ${entry.key}, but is stored as ${indexKey}`);
  }
  checkSummary(entry, (problem) => r.fail(problem));
  checkGaps(entry, (problem) => r.fail(problem));
  return entry;
}

function readGaps(r: FieldReader): Array<[number, number]> {
  const raw = r.raw("gaps");
  if (!Array.isArray(raw)) r.fail(`field "gaps" must be an array`);
  return raw.map((gap, i) => {
    if (
      !Array.isArray(gap) || gap.length !== 2 || !Number.isSafeInteger(gap[0]) ||
      !Number.isSafeInteger(gap[1]) || gap[0] > gap[1]
    ) r.fail(`gap ${i} must be a pair [first, last] of offsets, not ${JSON.stringify(gap)}`);
    return [gap[0], gap[1]] as [number, number];
  });
}

/** Gaps ascend, do not touch, stay inside the range, and with the records fill it exactly. */
function checkGaps(e: ChunkIndexEntry, fail: (problem: string) => never): void {
  let next = e.from;
  for (const [first, last] of e.gaps) {
    if (first < next || last > e.to) fail(`gap ${first}-${last} is out of order or range`);
    next = last + 2; // a gap ends where a record is
  }
  if (e.count + gapSize(e.gaps) !== e.to - e.from + 1) {
    fail(`count ${e.count} plus gaps does not cover the range ${e.from}-${e.to}`);
  }
  if (e.count === 0) return;
  const leading = e.gaps[0]?.[0] === e.from ? e.gaps[0][1] + 1 : e.from;
  const trailing = e.gaps.at(-1)?.[1] === e.to ? e.gaps.at(-1)![0] - 1 : e.to;
  if (e.firstOffset !== leading || e.lastOffset !== trailing) {
    fail(`firstOffset/lastOffset disagree with the gaps`);
  }
}
