/**
 * The restore checkpoint lives in the target cluster, not on local disk, so a restore
 * resumes even on a fresh container. Each source partition has its own consumer group
 * (`kafka-backup-restore.<job>.<topic>.<partition>`) whose committed offset on partition 0
 * of the target topic is the next SOURCE offset to restore. The restorer commits it in the
 * same Kafka transaction as the records it produces, so records and checkpoint move
 * together: after a crash either both happened or neither did (exactly once).
 */
import type { Admin } from "../kafka/kafkajs.ts";
import { TOOL_GROUP_PREFIX } from "../kafka/groups.ts";

/** Identifies one source partition of one restore job (the job's fingerprint says which). */
export interface CheckpointId {
  fingerprint: string;
  sourceTopic: string;
  partition: number;
  targetTopic: string;
}

/** The consumer group that holds the checkpoint; also used as the transactional id. */
export function checkpointGroup(id: CheckpointId): string {
  return `${TOOL_GROUP_PREFIX}${id.fingerprint.slice(0, 16)}.${id.sourceTopic}.${id.partition}`;
}

/**
 * A checkpoint: the next source offset to restore, and the metadata string committed
 * with it (the group snapshot the restore translates, so a resumed restore keeps using it).
 */
export interface Checkpoint {
  next: number;
  metadata: string | null;
}

/** The partition's checkpoint, or null when this restore never started here. */
export async function readCheckpointState(
  admin: Admin,
  id: CheckpointId,
): Promise<Checkpoint | null> {
  const [result] = await admin.fetchOffsets({
    groupId: checkpointGroup(id),
    topics: [id.targetTopic],
  });
  const committed = result?.partitions.find((p) => p.partition === 0);
  const next = Number(committed?.offset ?? -1);
  return next < 0 ? null : { next, metadata: committed?.metadata ?? null };
}

/** The next source offset to restore, or null when this restore never started here. */
export async function readCheckpoint(admin: Admin, id: CheckpointId): Promise<number | null> {
  return (await readCheckpointState(admin, id))?.next ?? null;
}

/** The argument of `transaction.sendOffsets` that moves the checkpoint to `offset`. */
export function checkpointOffsets(
  id: CheckpointId,
  offset: number,
  metadata: string | null = null,
) {
  return {
    consumerGroupId: checkpointGroup(id),
    topics: [{
      topic: id.targetTopic,
      partitions: [{ partition: 0, offset: String(offset), metadata }],
    }],
  };
}
