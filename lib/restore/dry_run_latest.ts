/**
 * --dry-run of a LATEST_PER_KEY restore: runs the first pass of every partition (the
 * chunks of the range are downloaded and read, nothing is produced) and reports how many
 * records the restore writes against a full restore of the same range.
 */
import type { Admin } from "../kafka/kafkajs.ts";
import type { RestoreJob } from "../config/restore_job.ts";
import type { Logger } from "../log.ts";
import { openStorage } from "../storage/open.ts";
import { readCheckpointState } from "./checkpoint.ts";
import { buildKeepSet } from "./keep_set.ts";
import { pinnedLast, rangeLast } from "./latest_range.ts";
import { entriesToRestore } from "./partition_plan.ts";
import type { PartitionPlan } from "./plan.ts";
import type { PartitionTask } from "./restore_partition.ts";

/** One partition: records of its range (a full restore), and those latest per key writes. */
export interface DryRunLatest {
  inRange: number;
  kept: number;
}

/** The first pass of each plan (`tasks[i]` is `plans[i]`'s), from its checkpoint on. */
export async function dryRunLatest(
  admin: Admin,
  job: RestoreJob,
  plans: PartitionPlan[],
  tasks: PartitionTask[],
  resumeAt: Map<PartitionTask, number | null>,
  logger: Logger,
): Promise<DryRunLatest[]> {
  const backend = await openStorage(job.storage, logger, {
    maxRetryWaitSeconds: job.retryDownloadSeconds,
  });
  try {
    const rows: DryRunLatest[] = [];
    for (const [i, plan] of plans.entries()) {
      const task = tasks[i];
      const next = resumeAt.get(task) ?? null;
      // A checkpoint means the target exists, and the range's end is pinned there.
      const state = next === null ? null : await readCheckpointState(admin, task.checkpoint);
      const start = next ?? task.firstOffset;
      const bound = Math.min(job.endOffset ?? Infinity, task.lastOffset ?? Infinity);
      const last = rangeLast(
        pinnedLast(state?.metadata ?? null),
        Number.isFinite(bound) ? bound : undefined,
        plan.entries,
      ) ?? start - 1;
      const { inRange, kept } = await buildKeepSet(backend, {
        entries: entriesToRestore(plan.entries, start, last),
        start,
        last,
        filter: {
          startOffset: job.startOffset,
          endOffset: job.endOffset,
          startTimestamp: job.startTimestamp,
          endTimestamp: job.endTimestamp,
        },
        keepTombstones: job.latestPerKey!.keepTombstones,
      }, { keys: job.decryptionKeys });
      rows.push({ inRange, kept });
    }
    return rows;
  } finally {
    await backend.close();
  }
}
