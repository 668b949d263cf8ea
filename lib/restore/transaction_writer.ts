/**
 * One restore transaction of one source partition: its records (in slices that keep each
 * record batch under the target's limit), the offset map when asked for, the translated
 * group offsets the records make valid, and the partition's checkpoint, committed
 * together or not at all.
 */
import {
  type Admin,
  type Message,
  producedMessage,
  type Producer,
  type Transaction,
} from "../kafka/kafkajs.ts";
import type { ArchivedRecord } from "../archive/record.ts";
import { type CheckpointId, checkpointOffsets } from "./checkpoint.ts";
import { recordSize } from "./record_size.ts";
import { offsetMapMessages, type SentOffsets } from "./offset_map.ts";
import { type Candidate, commitsFor, type GroupTranslator, lockKey } from "./group_translation.ts";
import type { LockClient } from "./offset_locks.ts";

/** What a partition's transactions share. */
export interface TransactionContext {
  producer: Producer;
  checkpoint: CheckpointId;
  /** Committed with every checkpoint (pins the group snapshot); null for none. */
  checkpointMetadata: string | null;
  maxMessageBytes: number;
  offsetMapTopic?: string;
  /** Present when the restore translates consumer groups. */
  groups?: { translator: GroupTranslator; locks: LockClient; admin: () => Promise<Admin> };
  /** MAX_BYTES_PER_SECOND and MAX_RECORDS_PER_SECOND: waits before a send of so much. */
  throttle?: (records: number, bytes: number) => Promise<void>;
}

/** Where a candidate's record landed, once its send is answered. */
type Landed = { candidate: Candidate; targetOffset: number };

/**
 * Produces `records` (each to `partitions[i]`) and commits them with the checkpoint
 * `next` and the group offsets they settle. `end` gives the target partitions' end
 * offsets for candidates without a record (a group with nothing left to read).
 */
export async function writeTransaction(
  context: TransactionContext,
  records: readonly ArchivedRecord[],
  partitions: readonly number[],
  next: number,
  candidates: Candidate[] = [],
  end?: (partition: number) => Promise<number>,
): Promise<void> {
  const release = candidates.length > 0 && context.groups
    ? await context.groups.locks.lock(candidates.map(lockKey))
    : () => {};
  try {
    const transaction = await context.producer.transaction();
    try {
      const landed = await sendRecords(context, transaction, records, partitions, candidates);
      for (const c of candidates) {
        if (c.recordIndex < 0) {
          landed.push({ candidate: c, targetOffset: await end!(c.targetPartition) });
        }
      }
      if (landed.length > 0) await commitGroupOffsets(context, transaction, landed);
      await transaction.sendOffsets(
        checkpointOffsets(context.checkpoint, next, context.checkpointMetadata),
      );
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => {});
      throw error;
    }
    context.groups?.translator.settle(candidates);
  } finally {
    release();
  }
}

/** Sends the records in slices; returns where the candidates' records landed. */
async function sendRecords(
  context: TransactionContext,
  transaction: Transaction,
  records: readonly ArchivedRecord[],
  partitions: readonly number[],
  candidates: readonly Candidate[],
): Promise<Landed[]> {
  const { checkpoint } = context;
  // A record batch must stay under the broker's limit: send in slices of bytes.
  const sliceLimit = Math.max(1, Math.min(context.maxMessageBytes, 1024 * 1024) - 1024);
  const wanted = new Map<number, Candidate[]>();
  for (const c of candidates) {
    if (c.recordIndex >= 0) wanted.set(c.recordIndex, [...(wanted.get(c.recordIndex) ?? []), c]);
  }
  const landed: Landed[] = [];
  let messages: Message[] = [];
  let sent: SentOffsets = new Map();
  let waiting: Array<{ candidates: Candidate[]; partition: number; position: number }> = [];
  let bytes = 0;
  let payload = 0;
  const flush = async () => {
    await context.throttle?.(messages.length, payload);
    const metadata = await transaction.send({ topic: checkpoint.targetTopic, messages, acks: -1 });
    const base = new Map(metadata.map((m) => [m.partition, Number(m.baseOffset)]));
    for (const w of waiting) {
      for (const candidate of w.candidates) {
        landed.push({ candidate, targetOffset: base.get(w.partition)! + w.position });
      }
    }
    if (context.offsetMapTopic) {
      const source = { topic: checkpoint.sourceTopic, partition: checkpoint.partition };
      const map = offsetMapMessages(source, checkpoint.targetTopic, sent, metadata);
      await transaction.send({ topic: context.offsetMapTopic, messages: map, acks: -1 });
    }
    messages = [];
    sent = new Map();
    waiting = [];
    bytes = 0;
    payload = 0;
  };
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const size = recordSize(record);
    if (messages.length > 0 && bytes + size > sliceLimit) await flush();
    const partition = partitions[i];
    messages.push(producedMessage(record, partition));
    const offsets = sent.get(partition) ?? [];
    offsets.push(record.offset);
    sent.set(partition, offsets);
    const here = wanted.get(i);
    if (here) waiting.push({ candidates: here, partition, position: offsets.length - 1 });
    bytes += size;
    payload += (record.key?.length ?? 0) + (record.value?.length ?? 0);
  }
  if (messages.length > 0) await flush();
  return landed;
}

/** Commits each landed candidate that is lower than what its group has committed there. */
async function commitGroupOffsets(
  context: TransactionContext,
  transaction: Transaction,
  landed: Landed[],
): Promise<void> {
  const admin = await context.groups!.admin();
  const topic = context.checkpoint.targetTopic;
  const current = new Map<string, number | null>();
  for (const group of new Set(landed.map((l) => l.candidate.task.target))) {
    const [result] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    for (const p of result?.partitions ?? []) {
      const offset = Number(p.offset);
      current.set(`${group}/${p.partition}`, offset < 0 ? null : offset);
    }
  }
  const commits = commitsFor(landed, (g, p) => current.get(`${g}/${p}`) ?? null, topic);
  for (const commit of commits) await transaction.sendOffsets(commit);
}
