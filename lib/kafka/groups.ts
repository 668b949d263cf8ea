/**
 * Consumer groups through admin calls only: listing groups, reading their committed
 * offsets (OffsetFetch) and their members (DescribeGroups). None of these joins or
 * disturbs a group.
 */
import type { Admin } from "./kafkajs.ts";

/** The prefix of the groups a restore keeps its checkpoints in: never a user's group. */
export const TOOL_GROUP_PREFIX = "kafka-backup-restore.";

/** One committed offset: the next record the group would read on that partition. */
export interface GroupPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
  /** Metadata string committed with the offset; null when empty. */
  metadata: string | null;
}

/** Every group id the cluster knows, sorted. */
export async function listGroupIds(admin: Admin): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups.map((g) => g.groupId).sort();
}

/**
 * The offsets `group` has committed on `topics`, sorted by topic and partition;
 * partitions it never committed on are left out.
 */
export async function committedOffsets(
  admin: Admin,
  group: string,
  topics: string[],
): Promise<GroupPartitionOffset[]> {
  if (topics.length === 0) return [];
  const results = await admin.fetchOffsets({ groupId: group, topics });
  const offsets: GroupPartitionOffset[] = [];
  for (const { topic, partitions } of results) {
    for (const p of partitions) {
      const offset = Number(p.offset);
      if (offset < 0) continue;
      offsets.push({ topic, partition: p.partition, offset, metadata: p.metadata ?? null });
    }
  }
  return offsets.sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
  );
}

/** The number of active members of each of `groups` (0 for an empty or unknown group). */
export async function memberCounts(admin: Admin, groups: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (groups.length === 0) return counts;
  const { groups: described } = await admin.describeGroups(groups);
  for (const g of described) counts.set(g.groupId, g.members.length);
  for (const g of groups) if (!counts.has(g)) counts.set(g, 0);
  return counts;
}
