/**
 * Everything a restore decides before its first record: the plan (from index entries,
 * up to the restoration point when one is asked for), the targets and their configs,
 * the checkpoints, the group translation, and every safety rule. Nothing in the target
 * cluster changes until every check has passed; then missing topics are created
 * (CREATE_TOPIC), unless this is a dry run.
 */
import { unseenTopicHint } from "../kafka/authorization.ts";
import type { Admin } from "../kafka/kafkajs.ts";
import { memberCounts } from "../kafka/groups.ts";
import { brokerCount } from "../kafka/topic_settings.ts";
import type { RestoreJob } from "../config/restore_job.ts";
import { jobFingerprint } from "../config/fingerprint.ts";
import { RefusedError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { openStorage } from "../storage/open.ts";
import { topicConfigAt } from "../archive/topic_config.ts";
import { checkEntryKeys } from "../archive/encryption.ts";
import type { RestorationPoint } from "../archive/restoration_point.ts";
import { type Checkpoint, type CheckpointId, readCheckpointState } from "./checkpoint.ts";
import { type PartitionPlan, planPartitions } from "./plan.ts";
import { resolvePoint } from "./point_plan.ts";
import { type GroupPlan, pinMetadata, pinnedSnapshot, planGroups } from "./group_plan.ts";
import type { PartitionTask } from "./restore_partition.ts";
import {
  checkTarget,
  createTarget,
  inspectTarget,
  type TargetInfo,
  type TargetSpec,
  targetSpec,
} from "./target.ts";

export interface Prepared {
  plans: PartitionPlan[];
  tasks: PartitionTask[];
  resumeAt: Map<PartitionTask, number | null>;
  point: RestorationPoint | null;
  groups: GroupPlan | null;
}

interface TargetState {
  source: string;
  target: string;
  spec: TargetSpec;
  info: TargetInfo;
  /** Per archived source partition: this job's checkpoint there, or null. */
  checkpoints: Map<number, Checkpoint | null>;
}

/** Plans, checks, and (unless `dryRun`) creates the missing targets. */
export async function prepareRestore(
  admin: Admin,
  job: RestoreJob,
  logger: Logger,
  dryRun = false,
): Promise<Prepared> {
  const backend = await openStorage(job.storage, logger, {
    maxRetryWaitSeconds: job.retryDownloadSeconds,
  });
  try {
    const point = job.restorationPoint ? await resolvePoint(backend, job.restorationPoint) : null;
    const { plans, archivedPartitions } = await planPartitions(
      backend,
      job.topics,
      job.partitions,
      point,
    );
    // Every chunk to restore must be decryptable before anything is produced.
    await checkEntryKeys(plans.flatMap((p) => chunksToOpen(job, p)), job.decryptionKeys);
    const targets = await inspectTargets(admin, backend, job, archivedPartitions, point, logger);
    const pinned = [...targets.flatMap((t) => [...t.checkpoints.values()])]
      .map((c) => pinnedSnapshot(c?.metadata ?? null)).find((key) => key !== null) ?? null;
    const partitions = plans.map((p) => ({ topic: p.sourceTopic, partition: p.partition }));
    const groups = await planGroups(backend, job, point, pinned, partitions);
    if (groups) await refuseActiveGroups(admin, groups);
    if (!dryRun) await createTargets(admin, job, targets, logger);
    return { ...tasksOf(job, plans, targets, groups), point, groups };
  } finally {
    await backend.close();
  }
}

/** The chunks of a plan that the restore opens: inside the offset bounds and the point. */
function chunksToOpen(job: RestoreJob, plan: PartitionPlan) {
  const last = Math.min(job.endOffset ?? Infinity, (plan.end ?? Infinity) - 1);
  return plan.entries.filter((e) => e.to >= (job.startOffset ?? 0) && e.from <= last);
}

/** Each target as it is, checked against the rules, with this job's checkpoints there. */
async function inspectTargets(
  admin: Admin,
  backend: StorageBackend,
  job: RestoreJob,
  archivedPartitions: Map<string, number[]>,
  point: RestorationPoint | null,
  logger: Logger,
): Promise<TargetState[]> {
  const fingerprint = jobFingerprint(job);
  const states: TargetState[] = [];
  for (const { source, target } of job.topics) {
    const archived = archivedPartitions.get(source)!;
    const config = await topicConfigAt(
      backend,
      source,
      point ? Date.parse(point.createdAt) : undefined,
      job.decryptionKeys,
    );
    const spec = targetSpec(config, Math.max(...archived) + 1, job.topicConfigOverrides?.[target]);
    const info = await inspectTarget(admin, target);
    checkTarget(target, info, spec, {
      strategy: job.strategy,
      create: job.createTopic,
      logger,
      unseenHint: unseenTopicHint(job.kafka, "WRITE"),
    });
    // A checkpoint of ANY archived partition means this job already wrote here (possibly
    // another process restoring other partitions of the same job).
    const checkpoints = new Map<number, Checkpoint | null>();
    for (const partition of archived) {
      const id = { fingerprint, sourceTopic: source, partition, targetTopic: target };
      checkpoints.set(partition, info.exists ? await readCheckpointState(admin, id) : null);
    }
    const resuming = [...checkpoints.values()].some((c) => c !== null);
    if (info.nonEmpty && !resuming && !job.allowNonEmptyTarget) {
      throw new RefusedError(
        `Target topic "${target}" already holds records and no checkpoint of this restore job is there: ` +
          `refusing to mix data (set "ALLOW_NON_EMPTY_TARGET": true to write anyway)`,
      );
    }
    states.push({ source, target, spec, info, checkpoints });
  }
  return states;
}

/** A group's offsets can only be set while it has no member (as kafka-consumer-groups says). */
async function refuseActiveGroups(admin: Admin, groups: GroupPlan): Promise<void> {
  const counts = await memberCounts(admin, groups.groups.map((g) => g.target));
  for (const [group, members] of counts) {
    if (members === 0) continue;
    throw new RefusedError(
      `Consumer group "${group}" has ${members} active member(s) in the target cluster: stop its ` +
        "consumers first (a group's offsets can only be set while it is empty)",
    );
  }
}

async function createTargets(
  admin: Admin,
  job: RestoreJob,
  targets: TargetState[],
  logger: Logger,
): Promise<void> {
  const missing = targets.filter((t) => !t.info.exists);
  const offsetMap = job.offsetMapTopic && !(await inspectTarget(admin, job.offsetMapTopic)).exists;
  if (missing.length === 0 && !offsetMap) return;
  const brokers = await brokerCount(admin);
  for (const state of missing) {
    state.info = await createTarget(admin, state.target, state.spec, brokers, logger);
    logger.info(`created target topic ${state.target} (${state.spec.partitions} partitions)`);
  }
  // Our own bookkeeping topic: one partition, so it reads in order.
  if (offsetMap) {
    await createTarget(admin, job.offsetMapTopic!, { partitions: 1, configs: {} }, brokers, logger);
  }
}

function tasksOf(
  job: RestoreJob,
  plans: PartitionPlan[],
  targets: TargetState[],
  groups: GroupPlan | null,
): { plans: PartitionPlan[]; tasks: PartitionTask[]; resumeAt: Map<PartitionTask, number | null> } {
  const fingerprint = jobFingerprint(job);
  const tasks: PartitionTask[] = [];
  const resumeAt = new Map<PartitionTask, number | null>();
  for (const plan of plans) {
    const state = targets.find((t) => t.source === plan.sourceTopic)!;
    const checkpoint: CheckpointId = {
      fingerprint,
      sourceTopic: plan.sourceTopic,
      partition: plan.partition,
      targetTopic: state.target,
    };
    const task: PartitionTask = {
      checkpoint,
      firstOffset: Math.max(plan.entries[0]?.from ?? 0, job.startOffset ?? 0),
      // A dry run creates nothing: a missing target would get the backup's partitions.
      targetPartitions: state.info.exists ? state.info.partitions : state.spec.partitions,
      maxMessageBytes: state.info.maxMessageBytes,
      groups: groups?.tasks.get(`${plan.sourceTopic}/${plan.partition}`) ?? [],
      checkpointMetadata: groups ? pinMetadata(groups.snapshot) : null,
      ...(plan.end !== undefined ? { lastOffset: plan.end - 1 } : {}),
    };
    tasks.push(task);
    resumeAt.set(task, state.checkpoints.get(plan.partition)?.next ?? null);
  }
  return { plans, tasks, resumeAt };
}
