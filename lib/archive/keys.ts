/**
 * Object naming of the archive. Keys derive from offsets only, so a retried upload
 * replaces itself instead of adding a duplicate, and a listing sorts numerically.
 *
 *   <topic>/<partition>/<from>-<to>.chunk          the chunk file
 *   <topic>/<partition>/<from>-<to>.chunk.sha256   its checksum, `sha256sum -c` format
 *   <topic>/<partition>/<from>-<to>.chunk.json     its index entry (makes it part of the archive)
 */

import { validateKey } from "../storage/keys.ts";

/** Digits of a zero-padded offset in a key: enough for any int64 offset. */
export const OFFSET_DIGITS = 20;

/** Which of the three objects of a chunk a key names. */
export type ArchiveKeyKind = "chunk" | "sidecar" | "index";

/** What {@linkcode parseArchiveKey} reads out of a key. */
export interface ArchiveKey {
  topic: string;
  partition: number;
  /** First offset the chunk covers (inclusive). */
  from: number;
  /** Last offset the chunk covers (inclusive). */
  to: number;
  kind: ArchiveKeyKind;
}

const CHUNK_SUFFIX = ".chunk";
const SUFFIXES: Record<ArchiveKeyKind, string> = {
  chunk: CHUNK_SUFFIX,
  sidecar: CHUNK_SUFFIX + ".sha256",
  index: CHUNK_SUFFIX + ".json",
};

// Kafka's own rule for topic names; it also keeps topics safe as a key segment.
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const KEY =
  /^([a-zA-Z0-9._-]{1,249})\/(0|[1-9][0-9]*)\/([0-9]{20})-([0-9]{20})\.chunk(\.sha256|\.json)?$/;

/**
 * The key of the chunk file covering offsets `from`..`to` (inclusive).
 *
 * @example
 * ```ts
 * chunkKey("orders", 3, 0, 99); // "orders/3/00000000000000000000-00000000000000000099.chunk"
 * ```
 */
export function chunkKey(topic: string, partition: number, from: number, to: number): string {
  checkTopic(topic);
  checkPartition(partition);
  checkOffset("from", from);
  checkOffset("to", to);
  if (to < from) throw new RangeError(`Chunk range ${from}-${to} is empty (to < from)`);
  return validateKey(`${partitionPrefix(topic, partition)}${pad(from)}-${pad(to)}${CHUNK_SUFFIX}`);
}

/** The checksum sidecar key of a chunk key. */
export function sidecarKeyOf(chunkKey: string): string {
  return chunkKeyChecked(chunkKey) + ".sha256";
}

/** The index entry key of a chunk key. */
export function indexKeyOf(chunkKey: string): string {
  return chunkKeyChecked(chunkKey) + ".json";
}

/** The chunk key that a sidecar or index key (or a chunk key) belongs to. */
export function chunkKeyOf(key: string): string {
  const parsed = parseArchiveKey(key);
  if (parsed === null) throw new RangeError(`Not an archive key: ${key}`);
  return key.slice(0, key.length - SUFFIXES[parsed.kind].length + CHUNK_SUFFIX.length);
}

/**
 * Reads topic, partition, offset range and kind out of an archive key, or returns
 * `null` for any other key (only the canonical spelling parses: no `+`, no unpadded
 * offsets, no leading zeros in the partition).
 */
export function parseArchiveKey(key: string): ArchiveKey | null {
  const match = KEY.exec(key);
  if (match === null) return null;
  const [, topic, p, f, t, suffix] = match;
  const partition = Number(p);
  const from = Number(f);
  const to = Number(t);
  if (topic === "." || topic === "..") return null;
  if (!Number.isSafeInteger(partition) || partition > 0x7fffffff) return null;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) return null;
  const kind: ArchiveKeyKind = suffix === ".sha256"
    ? "sidecar"
    : suffix === ".json"
    ? "index"
    : "chunk";
  return { topic, partition, from, to, kind };
}

/** `<topic>/<partition>/`: the prefix of every object of one partition. */
export function partitionPrefix(topic: string, partition: number): string {
  checkPartition(partition);
  return `${topicPrefix(topic)}${partition}/`;
}

/** `<topic>/`: the prefix of every object of one topic. */
export function topicPrefix(topic: string): string {
  checkTopic(topic);
  return `${topic}/`;
}

/** The last segment of a key: the file name a sidecar refers to. */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

function pad(offset: number): string {
  return String(offset).padStart(OFFSET_DIGITS, "0");
}

function chunkKeyChecked(key: string): string {
  const parsed = parseArchiveKey(key);
  if (parsed?.kind !== "chunk") throw new RangeError(`Not a chunk key: ${key}`);
  return key;
}

function checkTopic(topic: string): void {
  if (!TOPIC.test(topic) || topic === "." || topic === "..") {
    throw new RangeError(`Invalid topic name for the archive: ${JSON.stringify(topic)}`);
  }
}

function checkPartition(partition: number): void {
  if (!Number.isSafeInteger(partition) || partition < 0 || partition > 0x7fffffff) {
    throw new RangeError(`Invalid partition: ${partition}`);
  }
}

function checkOffset(name: string, offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`Invalid offset ${name}: ${offset} (must be a safe integer >= 0)`);
  }
}
