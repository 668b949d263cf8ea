/**
 * Where a partition's backup continues: storage is the truth, not the consumer group.
 * The next offset is one past the last chunk the archive holds (whose index entry exists).
 */
import type { StorageBackend } from "../storage/backend.ts";
import { readPartitionIndex } from "../archive/store.ts";
import { parseArchiveKey } from "../archive/keys.ts";
import type { Logger } from "../log.ts";

/**
 * The offset after the last stored chunk of the partition, or null when the archive has
 * none. Chunk and sidecar files past that point without an index entry are leftovers of
 * a write that a crash interrupted; they are removed (unless `removeOrphans` is false:
 * an upload of this process may be under way) so a new chunk can take their place.
 */
export async function resumePosition(
  backend: StorageBackend,
  topic: string,
  partition: number,
  logger: Logger,
  removeOrphans = true,
): Promise<number | null> {
  const { entries, orphans } = await readPartitionIndex(backend, topic, partition);
  const next = entries.length === 0 ? null : entries[entries.length - 1].to + 1;
  if (!removeOrphans) return next;
  for (const key of orphans) {
    const parsed = parseArchiveKey(key);
    if (parsed && (next === null || parsed.from >= next)) {
      logger.warn(`Removing ${key}: written by an interrupted run, never completed`);
      await backend.delete(key);
    }
  }
  return next;
}
