/**
 * After a prune: the restoration points and group snapshots that refer only to pruned
 * data go with it. A point goes when every partition it covers ends at or below the
 * partition's new archive start; a group snapshot goes when no remaining point names
 * it, it is not the newest (the backup compares new offsets with that one), and every
 * offset in it lies below its partition's start. Anything about a topic outside the
 * prune, or that cannot be read, stays.
 */
import type { StorageBackend } from "../storage/backend.ts";
import type { Logger } from "../log.ts";
import type { DecryptionKeys } from "../archive/encryption.ts";
import {
  listRestorationPoints,
  readRestorationPoint,
  type RestorationPoint,
  restorationPointKey,
} from "../archive/restoration_point.ts";
import {
  type GroupSnapshot,
  listGroupSnapshots,
  readGroupSnapshot,
} from "../archive/group_snapshot.ts";
import { deleteMetaObject } from "../archive/meta_object.ts";

/** Topic -> partition -> archive start after the prune. */
export type Starts = ReadonlyMap<string, ReadonlyMap<number, number>>;

const startOf = (starts: Starts, topic: string, partition: number): number | undefined =>
  starts.has(topic) ? starts.get(topic)!.get(partition) ?? 0 : undefined;

/** True when every partition `point` covers ends at or below its archive start. */
export function pointIsPruned(point: RestorationPoint, starts: Starts): boolean {
  let covers = false;
  for (const { topic, partitions } of point.topics) {
    for (const { partition, end } of partitions) {
      if (end === null) continue;
      const start = startOf(starts, topic, partition);
      if (start === undefined || end > start) return false;
      covers = true;
    }
  }
  return covers;
}

/** True when every committed offset of `snapshot` lies below its partition's start. */
export function snapshotIsPruned(snapshot: GroupSnapshot, starts: Starts): boolean {
  return snapshot.groups.every(({ offsets }) =>
    offsets.every(({ topic, partition, offset }) => {
      const start = startOf(starts, topic, partition);
      return start !== undefined && offset < start;
    })
  );
}

/** Removes (unless `dryRun`) what the prune left with nothing to refer to. */
export async function pruneMetadata(
  backend: StorageBackend,
  starts: Starts,
  options: { dryRun: boolean; keys?: DecryptionKeys },
  logger: Logger,
): Promise<{ points: string[]; groupSnapshots: string[] }> {
  const points: string[] = [];
  const named = new Set<string>();
  for (const id of await listRestorationPoints(backend)) {
    const point = await readRestorationPoint(backend, id).catch(() => null);
    if (point !== null && pointIsPruned(point, starts)) points.push(id);
    else if (point?.groupSnapshot) named.add(point.groupSnapshot.key);
  }
  const groupSnapshots: string[] = [];
  const snapshots = await listGroupSnapshots(backend);
  for (const key of snapshots.slice(0, -1)) {
    if (named.has(key)) continue;
    const read = await readGroupSnapshot(backend, key, undefined, options.keys).catch(() => null);
    if (read !== null && snapshotIsPruned(read.snapshot, starts)) groupSnapshots.push(key);
  }
  if (!options.dryRun) {
    for (const id of points) await deleteMetaObject(backend, restorationPointKey(id));
    for (const key of groupSnapshots) await deleteMetaObject(backend, key);
    if (points.length + groupSnapshots.length > 0) {
      logger.info(
        `pruned ${points.length} restoration point(s) and ${groupSnapshots.length} group ` +
          "snapshot(s) that referred only to pruned records",
      );
    }
  }
  return { points, groupSnapshots };
}
