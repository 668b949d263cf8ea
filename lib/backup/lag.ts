/**
 * How far the backup's consumer group is behind: per partition, an end offset minus the
 * group's committed offset (the committed offset moves only once a chunk is durable, so
 * this is what is not yet safely archived). Once mode measures against the end offsets
 * captured at start; continuous mode against the partitions' current ends.
 */
import type { Admin } from "../kafka/kafkajs.ts";
import { partitionOffsets } from "../kafka/topics.ts";
import { parseTpKey, tpKey } from "./messages.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { partitionEnd } from "../archive/store.ts";

/** "topic/partition" -> the group's committed offset (absent: none yet). */
async function committedOffsets(admin: Admin, groupId: string, topics: string[]) {
  const committed = new Map<string, number>();
  for (const topic of topics) {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const p of result.partitions) {
      if (Number(p.offset) >= 0) committed.set(tpKey(topic, p.partition), Number(p.offset));
    }
  }
  return committed;
}

/** "topic/partition" -> records behind `ends` (a partition never committed: all of them). */
export async function lagBehind(
  admin: Admin,
  groupId: string,
  topics: string[],
  ends: Record<string, number>,
): Promise<Map<string, number>> {
  const committed = await committedOffsets(admin, groupId, topics);
  const lag = new Map<string, number>();
  for (const [key, end] of Object.entries(ends)) {
    lag.set(key, Math.max(0, end - (committed.get(key) ?? 0)));
  }
  return lag;
}

/** The current end offset of every partition of `topics` ("topic/partition" -> offset). */
export async function currentEnds(admin: Admin, topics: string[]): Promise<Record<string, number>> {
  const ends: Record<string, number> = {};
  for (const topic of topics) {
    for (const p of await partitionOffsets(admin, topic)) ends[tpKey(topic, p.partition)] = p.high;
  }
  return ends;
}

/**
 * True when the archive holds every partition of `ends` up to its end: what ends a once
 * run. The group's committed offsets alone cannot say so: the same GROUP_ID may have
 * reached the ends for another archive (a new bucket, an emptied directory), and storage,
 * not the group, is the truth.
 */
export async function archiveReaches(
  storage: StorageBackend,
  ends: Record<string, number>,
): Promise<boolean> {
  for (const [key, end] of Object.entries(ends)) {
    const { topic, partition } = parseTpKey(key);
    if (((await partitionEnd(storage, topic, partition)) ?? 0) < end) return false;
  }
  return true;
}
