/**
 * RESTORE_CONSUMER_GROUPS: which group snapshot a restore translates, which groups of
 * it, under which target names, and each source partition's share of the work.
 */
import type { DecryptionKeys } from "../archive/encryption.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { ConfigError } from "../errors.ts";
import type { RestoreJob } from "../config/restore_job.ts";
import type { MetaRef } from "../archive/meta_object.ts";
import type { RestorationPoint } from "../archive/restoration_point.ts";
import {
  type GroupOffsets,
  type GroupSnapshot,
  listGroupSnapshots,
  readGroupSnapshot,
} from "../archive/group_snapshot.ts";

/** One group's part in restoring one source partition. */
export interface GroupTask {
  /** The group in the backup (for messages) and the group its offsets are committed to. */
  source: string;
  target: string;
  /**
   * The next source offset the group would have read on this partition. Null when it
   * never committed here (strategy random or key: nothing of the partition consumed).
   */
  offset: number | null;
  /** The metadata string committed with the source offset. */
  metadata: string | null;
}

export interface GroupPlan {
  snapshot: MetaRef;
  snapshotCreatedAt: string;
  groups: Array<{ source: string; target: string }>;
  /** Per "topic/partition" of the source: the groups' tasks. */
  tasks: Map<string, GroupTask[]>;
}

/** The checkpoint's metadata string that pins the snapshot for every later run. */
export const pinMetadata = (ref: MetaRef): string => `groups=${ref.key}`;

/** The snapshot key a checkpoint's metadata pins (on a line of its own), or null. */
export function pinnedSnapshot(metadata: string | null): string | null {
  const line = metadata?.split("\n").find((l) => l.startsWith("groups=@groups/"));
  return line === undefined ? null : line.slice("groups=".length);
}

async function chooseSnapshot(
  backend: StorageBackend,
  point: RestorationPoint | null,
  pinned: string | null,
  keys?: DecryptionKeys,
): Promise<{ snapshot: GroupSnapshot; ref: MetaRef }> {
  if (point) {
    if (!point.groupSnapshot) {
      throw new ConfigError(
        `RESTORE_CONSUMER_GROUPS: restoration point ${point.id} has no group snapshot ` +
          "(no group had offsets on the backed-up topics then)",
      );
    }
    const { key, sha256 } = point.groupSnapshot;
    return await readGroupSnapshot(backend, key, sha256, keys);
  }
  const key = pinned ?? (await listGroupSnapshots(backend)).at(-1);
  if (key === undefined) {
    throw new ConfigError(
      `RESTORE_CONSUMER_GROUPS: the archive in ${backend.location} has no group snapshot ` +
        "(backed up before groups were archived, or with CONSUMER_GROUPS [])",
    );
  }
  return await readGroupSnapshot(backend, key, undefined, keys);
}

function selectGroups(job: RestoreJob, available: GroupOffsets[], ref: MetaRef): GroupOffsets[] {
  const wanted = job.restoreConsumerGroups!;
  const names = available.map((g) => g.group);
  const shown = names.length === 0 ? "none" : names.join(", ");
  if (wanted === "*") return available;
  for (const group of [...wanted, ...Object.keys(job.consumerGroupMap ?? {})]) {
    if (!names.includes(group)) {
      throw new ConfigError(
        `Consumer group "${group}" is not in group snapshot ${ref.key} with offsets on ` +
          `${job.topics.map((t) => t.source).join(", ")} (it has: ${shown})`,
      );
    }
  }
  return available.filter((g) => wanted.includes(g.group));
}

/** The groups' tasks for one source partition under the job's strategy. */
function tasksFor(
  job: RestoreJob,
  groups: GroupOffsets[],
  topic: string,
  partition: number,
): GroupTask[] {
  const tasks: GroupTask[] = [];
  for (const g of groups) {
    const onTopic = g.offsets.filter((o) => o.topic === topic);
    if (onTopic.length === 0) continue;
    const here = onTopic.find((o) => o.partition === partition);
    // Strategy same: a partition the group never committed on stays uncommitted.
    if (!here && job.strategy === "same") continue;
    tasks.push({
      source: g.group,
      target: job.consumerGroupMap?.[g.group] ?? g.group,
      offset: here?.offset ?? null,
      metadata: here?.metadata ?? null,
    });
  }
  return tasks;
}

/**
 * The plan for `job`'s groups (null when it restores none), from the point's snapshot,
 * else the one pinned by an earlier run, else the newest. `partitions` lists the source
 * partitions to restore ("topic/partition").
 */
export async function planGroups(
  backend: StorageBackend,
  job: RestoreJob,
  point: RestorationPoint | null,
  pinned: string | null,
  partitions: Array<{ topic: string; partition: number }>,
): Promise<GroupPlan | null> {
  if (job.restoreConsumerGroups === undefined) return null;
  const { snapshot, ref } = await chooseSnapshot(backend, point, pinned, job.decryptionKeys);
  const sources = job.topics.map((t) => t.source);
  const available = snapshot.groups.filter((g) => g.offsets.some((o) => sources.includes(o.topic)));
  const groups = selectGroups(job, available, ref);
  const tasks = new Map<string, GroupTask[]>();
  for (const { topic, partition } of partitions) {
    tasks.set(`${topic}/${partition}`, tasksFor(job, groups, topic, partition));
  }
  return {
    snapshot: ref,
    snapshotCreatedAt: snapshot.createdAt,
    groups: groups.map((g) => ({
      source: g.group,
      target: job.consumerGroupMap?.[g.group] ?? g.group,
    })),
    tasks,
  };
}
