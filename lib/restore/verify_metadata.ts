/**
 * restore.ts --verify, beyond chunks: every group snapshot, restoration point, topic
 * config and archive start is checked against its sidecar and read, and every point is
 * checked to be restorable (its snapshot matches, the archive still reaches its offsets).
 */
import type { StorageBackend } from "../storage/backend.ts";
import { listGroupSnapshots, readGroupSnapshot } from "../archive/group_snapshot.ts";
import { listRestorationPoints, readRestorationPoint } from "../archive/restoration_point.ts";
import { listTopicConfigs, readTopicConfig } from "../archive/topic_config.ts";
import { partitionEnd } from "../archive/store.ts";
import { listArchiveStarts, readArchiveStartObject } from "../archive/archive_start.ts";
import { type DecryptionKeys, UnknownKeyError } from "../archive/encryption.ts";

/**
 * Checks every metadata object, decrypting encrypted ones with `keys`; returns how many
 * were sound, how many of those are encrypted and were checked by their sidecar only
 * (no `keys` given at all), and every problem found.
 */
export async function verifyMetadata(
  backend: StorageBackend,
  topics: string[],
  keys?: DecryptionKeys,
): Promise<{ objects: number; checksumOnly: number; problems: string[] }> {
  let objects = 0;
  let checksumOnly = 0;
  const problems: string[] = [];
  // Without any key, an encrypted object passed its sidecar check before it was refused.
  const keyless = (error: unknown) => keys === undefined && error instanceof UnknownKeyError;
  const check = async (read: () => Promise<unknown>) => {
    try {
      await read();
      objects++;
    } catch (error) {
      if (keyless(error)) {
        objects++;
        checksumOnly++;
      } else problems.push((error as Error).message);
    }
  };
  for (const key of await listGroupSnapshots(backend)) {
    await check(() => readGroupSnapshot(backend, key, undefined, keys));
  }
  for (const topic of topics) {
    for (const key of await listTopicConfigs(backend, topic)) {
      await check(() => readTopicConfig(backend, key, keys));
    }
  }
  for (const topic of topics) {
    for (const key of await listArchiveStarts(backend, topic)) {
      await check(() => readArchiveStartObject(backend, topic, key));
    }
  }
  for (const id of await listRestorationPoints(backend)) {
    await check(async () => {
      const point = await readRestorationPoint(backend, id);
      if (point.groupSnapshot) {
        const { key, sha256 } = point.groupSnapshot;
        await readGroupSnapshot(backend, key, sha256, keys).catch((error) => {
          if (!keyless(error)) throw error;
        });
      }
      for (const { topic, partitions } of point.topics.filter((t) => topics.includes(t.topic))) {
        for (const { partition, end } of partitions) {
          if (end === null) continue;
          const reach = await partitionEnd(backend, topic, partition);
          if (reach === null || reach < end) {
            throw new Error(
              `Restoration point ${id} covers ${topic}/${partition} up to offset ${end - 1}, but ` +
                `the archive's chunks of it end ${
                  reach === null ? "before any offset" : `at offset ${reach - 1}`
                }`,
            );
          }
        }
      }
    });
  }
  return { objects, checksumOnly, problems };
}
