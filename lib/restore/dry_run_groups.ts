/**
 * --dry-run of a restore that translates consumer groups: per group and source
 * partition, its source offset and what its target offset is or will be.
 */
import type { Admin } from "../kafka/kafkajs.ts";
import { committedOffsets } from "../kafka/groups.ts";
import type { RestoreJob } from "../config/restore_job.ts";
import type { PartitionTask } from "./restore_partition.ts";

export interface DryRunGroup {
  group: string;
  targetGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  /** Null: the group never committed on this partition (random/key: nothing consumed). */
  sourceOffset: number | null;
  targetTopic: string;
  /** The partition its offset lands in; null for random and key (any of them). */
  targetPartition: number | null;
  /** The target group's committed offset there now (a resumed or finished restore), or null. */
  targetOffset: number | null;
}

export async function dryRunGroups(
  admin: Admin,
  job: RestoreJob,
  tasks: PartitionTask[],
): Promise<DryRunGroup[]> {
  const rows: DryRunGroup[] = [];
  const committed = new Map<string, number>();
  for (const task of tasks) {
    const { sourceTopic, partition, targetTopic } = task.checkpoint;
    for (const g of task.groups) {
      const key = `${g.target}/${targetTopic}`;
      if (!committed.has(`${key}/loaded`)) {
        committed.set(`${key}/loaded`, 1);
        const exists = await admin.listTopics().then((topics) => topics.includes(targetTopic));
        for (const o of exists ? await committedOffsets(admin, g.target, [targetTopic]) : []) {
          committed.set(`${key}/${o.partition}`, o.offset);
        }
      }
      const targetPartition = job.strategy === "same" ? partition : null;
      rows.push({
        group: g.source,
        targetGroup: g.target,
        sourceTopic,
        sourcePartition: partition,
        sourceOffset: g.offset,
        targetTopic,
        targetPartition,
        targetOffset: targetPartition === null
          ? null
          : committed.get(`${key}/${partition}`) ?? null,
      });
    }
  }
  return rows;
}

/** One line per row, for the terminal. */
export function formatDryRunGroups(rows: DryRunGroup[]): string[] {
  return rows.map((r) => {
    const source = `${r.sourceTopic}/${r.sourcePartition} offset ${r.sourceOffset ?? "(none)"}`;
    const target = r.targetPartition === null
      ? `${r.targetTopic}: in each partition, the first restored record not consumed`
      : r.targetOffset !== null
      ? `${r.targetTopic}/${r.targetPartition} offset ${r.targetOffset} (committed)`
      : `${r.targetTopic}/${r.targetPartition} at the first restored record from offset ${r.sourceOffset}`;
    return `group ${r.group} -> ${r.targetGroup}: ${source} -> ${target}`;
  });
}
