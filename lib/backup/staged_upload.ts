/**
 * Moving a staged chunk to the object store: the staged files are read back, stored in
 * the archive's order (chunk, sidecar, index entry last), and only then removed from the
 * staging directory, index entry first, so a crash at any point leaves either a staged
 * chunk to upload again (the write is idempotent: same key, same bytes) or orphans.
 */
import type { StorageBackend } from "../storage/backend.ts";
import type { ChunkIndexEntry } from "../archive/index_entry.ts";
import { listArchive, readPartitionIndex, storeChunk } from "../archive/store.ts";
import { indexKeyOf, sidecarKeyOf } from "../archive/keys.ts";
import type { Logger } from "../log.ts";

/** Uploads one staged chunk, then removes it from staging. */
export async function uploadStaged(
  staging: StorageBackend,
  remote: StorageBackend,
  entry: ChunkIndexEntry,
): Promise<void> {
  const bytes = await staging.get(entry.key);
  await storeChunk(remote, { key: entry.key, bytes, sha256: entry.sha256, entry });
  await removeStaged(staging, entry.key);
}

/** Removes a staged chunk's files, index entry first (the rest are then mere orphans). */
export async function removeStaged(staging: StorageBackend, chunkKey: string): Promise<void> {
  await staging.delete(indexKeyOf(chunkKey));
  await staging.delete(chunkKey);
  await staging.delete(sidecarKeyOf(chunkKey));
}

/**
 * Uploads every chunk an interrupted run left staged (oldest first per partition) and
 * removes unfinished staging writes. Runs before any consumer starts.
 */
export async function uploadLeftovers(
  staging: StorageBackend,
  remote: StorageBackend,
  logger: Logger,
): Promise<number> {
  let uploaded = 0;
  for (const { topic, partitions } of await listArchive(staging)) {
    for (const partition of partitions) {
      const { entries, orphans } = await readPartitionIndex(staging, topic, partition);
      for (const entry of entries) {
        logger.info(`uploading ${entry.key}, staged by an interrupted run`);
        await uploadStaged(staging, remote, entry);
        uploaded++;
      }
      for (const key of orphans) await staging.delete(key);
    }
  }
  return uploaded;
}
