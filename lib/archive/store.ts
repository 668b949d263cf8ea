/**
 * The archive on a storage backend: writing a chunk in a crash-safe order, finding the
 * chunks of a partition from one listing, and loading a chunk only after verifying it.
 */

import { IntegrityError, NotFoundError, StorageError } from "../errors.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { compareKeys } from "../storage/keys.ts";
import { decodeChunkBody, decodeChunkHeader, type DecodedChunk } from "./chunk_decode.ts";
import { decryptChunk } from "./chunk_decode.ts";
import { type DecryptionKeys, toHex } from "./encryption.ts";
import type { ChunkHeader } from "./header.ts";
import type { EncodedChunk } from "./chunk_encode.ts";
import { formatSidecar, parseSidecar, sha256Hex } from "./checksum.ts";
import { computeGaps, offsetsOf } from "./gaps.ts";
import { type ChunkIndexEntry, parseIndexEntry, serializeIndexEntry } from "./index_entry.ts";
import { baseName, chunkKeyOf, indexKeyOf, parseArchiveKey, partitionPrefix } from "./keys.ts";
import { sidecarKeyOf } from "./keys.ts";
import { mapLimit } from "../util/map_limit.ts";
import { archiveStartOf } from "./archive_start.ts";

/** Index entries fetched at once by {@linkcode readPartitionIndex}. */
const INDEX_CONCURRENCY = 16;

/**
 * Stores a chunk so that no reader ever sees it half-written: an existing index entry
 * of the same key is removed first (a replaced chunk leaves the archive while its files
 * change), then the chunk file, its sidecar, and last the index entry, whose existence
 * is what makes the chunk part of the archive. A crash at any point leaves at worst
 * orphans, never an entry pointing at wrong data. Last, the chunk file is looked up once
 * more: if another process removed it meanwhile as a crash leftover (a backup member
 * dropped from its group while frozen, whose partition moved on), the entry is taken
 * back rather than left pointing at nothing, and StorageError names the chunk.
 */
export async function storeChunk(backend: StorageBackend, encoded: EncodedChunk): Promise<void> {
  const { key, bytes, sha256, entry } = encoded;
  if (entry.key !== key || entry.sha256 !== sha256 || entry.bytes !== bytes.length) {
    throw new RangeError(`Cannot store ${key}: its index entry describes other data`);
  }
  const indexKey = indexKeyOf(key);
  await backend.delete(indexKey);
  await backend.put(key, bytes);
  await backend.put(
    sidecarKeyOf(key),
    new TextEncoder().encode(formatSidecar(sha256, baseName(key))),
  );
  await backend.put(indexKey, serializeIndexEntry(entry));
  if ((await backend.stat(key)) === null) {
    await backend.delete(indexKey);
    throw new StorageError(
      `${backend.location}/${key} was removed while it was being stored (by another backup ` +
        "process that took the partition over?); its index entry is taken back",
    );
  }
}

/** What one listing of a partition says. */
export interface PartitionIndex {
  /** The chunks of the archive (those with an index entry), sorted by `from`, then `to`. */
  entries: ChunkIndexEntry[];
  /** Chunk and sidecar keys without an index entry: left by an interrupted store. */
  orphans: string[];
  /** Chunk or sidecar keys that an index entry needs but the listing lacks. */
  missing: string[];
  /** Keys under the partition prefix that are not archive keys at all. */
  unrecognized: string[];
  /** The first offset the archive keeps (archive_start.ts): 0 unless retention moved it. */
  start: number;
  /**
   * Listed keys of chunks that end below `start`: pruned by retention, not yet (or not
   * all) removed. Not part of the archive: never an entry, an orphan or missing.
   */
  pruned: string[];
}

/** What the listing of a partition holds of each chunk. */
type ChunkFiles = Map<string, { chunk: boolean; sidecar: boolean; index: boolean }>;

/**
 * Reads the index of one partition with a single listing plus a GET of each index
 * entry (chunks are never opened). Chunks ending below the partition's archive start
 * are left out (a prune may be removing them meanwhile). Throws `IntegrityError` for a
 * damaged entry.
 */
export async function readPartitionIndex(
  backend: StorageBackend,
  topic: string,
  partition: number,
): Promise<PartitionIndex> {
  const { files, unrecognized } = await listPartition(backend, topic, partition);
  let start = await archiveStartOf(backend, topic, partition);
  const indexed = [...files].filter(([, seen]) => seen.index).map(([chunk]) => chunk);
  const read = await mapLimit(indexed, INDEX_CONCURRENCY, async (chunk) => {
    const indexKey = indexKeyOf(chunk);
    try {
      return parseIndexEntry(await backend.get(indexKey), indexKey);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return indexKey; // vanished after the listing: pruned meanwhile, or lost
    }
  });
  const vanished = read.filter((r) => typeof r === "string");
  // A prune records the new start before it removes anything: read it again.
  if (vanished.length > 0) start = await archiveStartOf(backend, topic, partition);
  for (const indexKey of vanished) {
    if (parseArchiveKey(indexKey)!.to >= start) {
      throw new IntegrityError(`Index entry ${indexKey} vanished after it was listed`);
    }
  }
  const isPruned = (chunk: string) => parseArchiveKey(chunk)!.to < start;
  const entries = read.filter((r): r is ChunkIndexEntry => typeof r !== "string")
    .filter((e) => !isPruned(e.key));
  entries.sort((a, b) => a.from - b.from || a.to - b.to);
  const orphans: string[] = [];
  const missing: string[] = [];
  const pruned: string[] = [];
  for (const [chunk, seen] of files) {
    if (isPruned(chunk)) {
      pruned.push(chunk);
      continue;
    }
    const list = seen.index ? missing : orphans;
    if (seen.chunk !== seen.index) list.push(chunk);
    if (seen.sidecar !== seen.index) list.push(sidecarKeyOf(chunk));
  }
  return {
    entries,
    orphans: orphans.sort(compareKeys),
    missing: missing.sort(compareKeys),
    unrecognized,
    start,
    pruned: pruned.sort(compareKeys),
  };
}

/** One listing of a partition: which objects of each chunk it holds, and foreign keys. */
async function listPartition(
  backend: StorageBackend,
  topic: string,
  partition: number,
): Promise<{ files: ChunkFiles; unrecognized: string[] }> {
  const files: ChunkFiles = new Map();
  const unrecognized: string[] = [];
  for await (const { key } of backend.list(partitionPrefix(topic, partition))) {
    const parsed = parseArchiveKey(key);
    if (parsed === null || parsed.topic !== topic || parsed.partition !== partition) {
      unrecognized.push(key);
      continue;
    }
    const chunk = chunkKeyOf(key);
    const seen = files.get(chunk) ?? { chunk: false, sidecar: false, index: false };
    seen[parsed.kind] = true;
    files.set(chunk, seen);
  }
  return { files, unrecognized };
}

/**
 * One past the last offset the partition's chunks cover, from one listing and no GET:
 * the highest `to` of a chunk whose index entry, file and sidecar are all listed.
 * Null when the partition has no chunk.
 */
export async function partitionEnd(
  backend: StorageBackend,
  topic: string,
  partition: number,
): Promise<number | null> {
  const kinds = new Map<string, Set<string>>();
  for await (const { key } of backend.list(partitionPrefix(topic, partition))) {
    const parsed = parseArchiveKey(key);
    if (parsed === null || parsed.topic !== topic || parsed.partition !== partition) continue;
    const chunk = chunkKeyOf(key);
    kinds.set(chunk, (kinds.get(chunk) ?? new Set()).add(parsed.kind));
  }
  let end: number | null = null;
  for (const [chunk, seen] of kinds) {
    if (seen.size < 3) continue;
    const { to } = parseArchiveKey(chunk)!;
    if (end === null || to + 1 > end) end = to + 1;
  }
  return end;
}

/** A topic of the archive and its partitions. */
export interface ArchivedTopic {
  topic: string;
  /** Partitions with at least one index entry, ascending. */
  partitions: number[];
}

/** The topics and partitions that hold at least one chunk (index entry), sorted. */
export async function listArchive(backend: StorageBackend): Promise<ArchivedTopic[]> {
  const topics = new Map<string, Set<number>>();
  for await (const { key } of backend.list("")) {
    const parsed = parseArchiveKey(key);
    if (parsed?.kind !== "index") continue;
    const partitions = topics.get(parsed.topic) ?? new Set();
    partitions.add(parsed.partition);
    topics.set(parsed.topic, partitions);
  }
  return [...topics.keys()].sort(compareKeys).map((topic) => ({
    topic,
    partitions: [...topics.get(topic)!].sort((a, b) => a - b),
  }));
}

/**
 * A chunk file whose size and SHA-256 matched its sidecar and index entry, whose header
 * agrees with the entry, and whose body (for an encrypted chunk) was decrypted and
 * authenticated: what is left to do is decompress and decode it.
 */
export interface VerifiedChunkFile {
  entry: ChunkIndexEntry;
  header: ChunkHeader;
  /**
   * The body as an unencrypted chunk stores it (compressed): a view into the file for an
   * unencrypted chunk, the decrypted bytes for an encrypted one (whose file is let go).
   */
  body: Uint8Array;
}

/**
 * Gets a chunk and its sidecar, checks size and SHA-256 against both the sidecar and
 * the index entry, decrypts it with `keys` when it is encrypted, and only then decodes it
 * and checks its header and records against the entry. Throws `IntegrityError` naming
 * the object at fault (DecryptionError for a missing or wrong key, or a failed tag).
 */
export async function loadVerifiedChunk(
  backend: StorageBackend,
  entry: ChunkIndexEntry,
  keys?: DecryptionKeys,
): Promise<DecodedChunk> {
  return decodeVerifiedChunk(await fetchVerifiedChunk(backend, entry, keys));
}

/**
 * The first half of {@linkcode loadVerifiedChunk}: gets the chunk file and its sidecar,
 * checks size and SHA-256 and the header, and decrypts an encrypted body. Holds only the
 * file's bytes (or, once decrypted, its body), so it can run ahead.
 */
export async function fetchVerifiedChunk(
  backend: StorageBackend,
  entry: ChunkIndexEntry,
  keys?: DecryptionKeys,
): Promise<VerifiedChunkFile> {
  const bytes = await fetchCheckedChunk(backend, entry);
  checkHeaderAgainstEntry(decodeChunkHeader(bytes, entry.key).header, entry);
  const { header, body } = await decryptChunk(bytes, entry.key, keys);
  return { entry, header, body };
}

/**
 * The checksum layer alone: the chunk file, once its size and SHA-256 match its sidecar
 * and index entry. Needs no key: this is what `sha256sum -c` checks of an encrypted chunk.
 */
export async function fetchCheckedChunk(
  backend: StorageBackend,
  entry: ChunkIndexEntry,
): Promise<Uint8Array> {
  const key = entry.key;
  const sidecarKey = sidecarKeyOf(key);
  const [bytes, sidecarBytes] = await Promise.all([
    getRequired(backend, key, "chunk file"),
    getRequired(backend, sidecarKey, "checksum sidecar"),
  ]);
  let sidecarText = "";
  try {
    sidecarText = new TextDecoder("utf-8", { fatal: true }).decode(sidecarBytes);
  } catch {
    fail(`checksum sidecar ${sidecarKey} is not text`);
  }
  const sidecar = parseSidecar(sidecarText, sidecarKey);
  if (sidecar.fileName !== baseName(key)) {
    fail(`checksum sidecar ${sidecarKey} is for ${sidecar.fileName}, not ${baseName(key)}`);
  }
  if (bytes.length !== entry.bytes) {
    fail(`size mismatch in ${key}: ${bytes.length} bytes, the index entry says ${entry.bytes}`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== sidecar.sha256 || actual !== entry.sha256) {
    fail(
      `sha256 mismatch in ${key} (file ${actual}, sidecar ${sidecar.sha256}, ` +
        `index entry ${entry.sha256})`,
    );
  }
  return bytes;
}

/**
 * Every header field the index entry repeats must be equal, the encryption key named
 * the same. Throws IntegrityError naming the chunk.
 */
export function checkHeaderAgainstEntry(header: ChunkHeader, entry: ChunkIndexEntry): void {
  const key = entry.key;
  for (const field of HEADER_FIELDS) {
    if (header[field] !== entry[field]) {
      fail(`${key} says ${field} ${header[field]}, its index entry says ${entry[field]}`);
    }
  }
  const inHeader = header.encryption &&
    { keyId: header.encryption.keyId, keyCheck: toHex(header.encryption.keyCheck) };
  if (JSON.stringify(inHeader) !== JSON.stringify(entry.encryption)) {
    fail(`${key} and its index entry disagree on its encryption key`);
  }
}

/**
 * The second half of {@linkcode loadVerifiedChunk}: decodes a verified file and checks
 * its records against the index entry.
 */
export function decodeVerifiedChunk({ entry, header, body }: VerifiedChunkFile): DecodedChunk {
  const key = entry.key;
  const decoded = decodeChunkBody(header, body, key);
  const gaps = computeGaps(entry.from, entry.to, offsetsOf(decoded.records));
  if (JSON.stringify(gaps) !== JSON.stringify(entry.gaps)) {
    fail(`the records of ${key} disagree with the gaps of its index entry`);
  }
  return decoded;
}

function fail(problem: string): never {
  throw new IntegrityError(`Cannot open chunk: ${problem}`);
}

const HEADER_FIELDS = [
  "formatVersion",
  "topic",
  "partition",
  "from",
  "to",
  "firstOffset",
  "lastOffset",
  "count",
  "minTimestamp",
  "maxTimestamp",
  "timestampType",
  "codec",
  "uncompressedBytes",
  "createdAt",
] as const;

async function getRequired(
  backend: StorageBackend,
  key: string,
  what: string,
): Promise<Uint8Array> {
  try {
    return await backend.get(key);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new MissingChunkError(`Cannot open chunk: missing ${what} ${key} (${backend.location})`, {
      cause: error,
    });
  }
}

/**
 * A chunk file or sidecar that its index entry names is not there: lost, or removed by
 * a prune since the entry was read (archive_start.ts tells which).
 */
export class MissingChunkError extends IntegrityError {}

/**
 * The partition's archive start when `error` says `entry`'s chunk is missing because a
 * prune removed it since the entry was read (it ends below the start, read again now);
 * null when the chunk is lost, or the error is another.
 */
export async function prunedSinceRead(
  backend: StorageBackend,
  entry: ChunkIndexEntry,
  error: unknown,
): Promise<number | null> {
  if (!(error instanceof MissingChunkError)) return null;
  const start = await archiveStartOf(backend, entry.topic, entry.partition);
  return entry.to < start ? start : null;
}
