/**
 * Archive starts: where retention has moved the beginning of a topic's partitions,
 * stored as `<topic>/@start/<stamp>.json` (docs/FORMAT.md, section 12). A prune writes
 * one before it removes any chunk, so a reader that finds a chunk gone can tell a chunk
 * pruned under it (below the start: skip it) from a chunk lost (an error).
 *
 * Each object carries every start of its topic forward, and a reader takes the highest
 * start any object gives, so two prunes racing or a prune killed half-way can never
 * move a start back. Stored in the clear: starts are offsets, like index entries.
 */
import { FieldReader } from "./fields.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { getMetaObject, listMetaObjects, putMetaObject } from "./meta_object.ts";
import { ISO_INSTANT } from "./header.ts";
import { topicPrefix } from "./keys.ts";
import { isStamp, newStamp } from "./stamp.ts";

const FORMAT = 1;
const DIR = "@start/";

/** The starts of one topic's partitions, and the objects they were read from. */
export interface ArchiveStarts {
  /** Partition -> first offset the archive keeps (chunks ending below it are pruned). */
  starts: Map<number, number>;
  /** The keys of the start objects read (oldest first): a later prune may remove them. */
  keys: string[];
}

const prefixOf = (topic: string) => `${topicPrefix(topic)}${DIR}`;

/** The keys of a topic's start objects, oldest first. */
export async function listArchiveStarts(backend: StorageBackend, topic: string): Promise<string[]> {
  const prefix = prefixOf(topic);
  return (await listMetaObjects(backend, prefix)).filter((key) =>
    isStamp(key.slice(prefix.length, -".json".length))
  );
}

/**
 * Every start of `topic`: the highest each partition has in any start object. Throws
 * IntegrityError naming a damaged object (a start cannot be guessed: it decides which
 * missing chunk is an error).
 */
export async function readArchiveStarts(
  backend: StorageBackend,
  topic: string,
): Promise<ArchiveStarts> {
  const keys = await listArchiveStarts(backend, topic);
  const starts = new Map<number, number>();
  for (const key of keys) {
    for (const { partition, start } of await readArchiveStartObject(backend, topic, key)) {
      starts.set(partition, Math.max(start, starts.get(partition) ?? 0));
    }
  }
  return { starts, keys };
}

/** The start of one partition: 0 when retention never moved it. */
export async function archiveStartOf(
  backend: StorageBackend,
  topic: string,
  partition: number,
): Promise<number> {
  return (await readArchiveStarts(backend, topic)).starts.get(partition) ?? 0;
}

/** Stores `starts` (every partition of the topic that has one) as a new start object. */
export async function writeArchiveStarts(
  backend: StorageBackend,
  topic: string,
  starts: ReadonlyMap<number, number>,
  at = new Date(),
): Promise<string> {
  const key = `${prefixOf(topic)}${newStamp(at)}.json`;
  const partitions = [...starts].sort(([a], [b]) => a - b).map(([partition, start]) => ({
    partition,
    start,
  }));
  await putMetaObject(backend, key, {
    formatVersion: FORMAT,
    kind: "archiveStart",
    topic,
    createdAt: at.toISOString(),
    partitions,
  });
  return key;
}

/** One start object, after checking it against its sidecar (IntegrityError naming it). */
export async function readArchiveStartObject(
  backend: StorageBackend,
  topic: string,
  key: string,
): Promise<Array<{ partition: number; start: number }>> {
  const { value } = await getMetaObject(backend, key);
  const r = new FieldReader(value, `archive start ${key}`);
  if (r.int("formatVersion") !== FORMAT) {
    r.fail(`format version ${r.raw("formatVersion")} is not supported`);
  }
  if (r.raw("kind") !== "archiveStart") r.fail("it is not an archive start");
  if (r.string("topic") !== topic) r.fail(`it is about topic ${r.raw("topic")}`);
  r.string("createdAt", ISO_INSTANT);
  return r.array("partitions").map((p, i) => {
    const pr = new FieldReader(p, `partition ${i} of archive start ${key}`);
    return { partition: pr.int("partition", 0), start: pr.int("start", 0) };
  });
}
