/**
 * Translating consumer-group offsets while one source partition is restored (README,
 * "Consumer groups"). A group's committed source offset O on the partition is the next
 * record it would read; in each target partition t, its target offset becomes the target
 * offset of the first restored record of this partition with source offset >= O that
 * went to t. Under strategy same that is exact; under random and key a target partition
 * mixes source partitions, and the lowest of their candidates wins, so nothing the group
 * had not consumed is ever skipped.
 *
 * Exactly once: a candidate is committed in the transaction that writes its record,
 * holding a process-wide lock on (target group, t) from before the record is appended
 * until the commit, and only when it is lower than what the group has committed there
 * (or it has nothing). So the first unconsumed record appended to t wins, a commit never
 * points past a record not in the target, and a resumed restore never moves an offset
 * back up. A group with nothing left to read on a partition gets that partition's end
 * when the partition is done.
 */
import type { ArchivedRecord } from "../archive/record.ts";
import type { Strategy } from "./partitioner.ts";
import type { GroupTask } from "./group_plan.ts";

/** A (group, target partition) whose offset a transaction may commit, and at which record. */
export interface Candidate {
  task: GroupTask;
  targetPartition: number;
  /** Index of the record in the transaction; -1 for the partition's end. */
  recordIndex: number;
}

/** What `sendOffsets` takes: one group's offsets on the target topic. */
export interface GroupOffsetCommit {
  consumerGroupId: string;
  topics: Array<{
    topic: string;
    partitions: Array<{ partition: number; offset: string; metadata: string | null }>;
  }>;
}

/** The lock key of a (target group, target partition). */
export const lockKey = (c: Candidate): string => `${c.task.target}\u0000${c.targetPartition}`;

/** Which of the (group, target partition) pairs of one source partition are settled. */
export class GroupTranslator {
  /** Pairs committed (or found already lower) by this process: nothing left to do. */
  readonly #reported = new Set<string>();

  constructor(
    readonly tasks: readonly GroupTask[],
    private readonly strategy: Strategy,
    private readonly sourcePartition: number,
    private readonly targetPartitions: number,
  ) {}

  /** The target partitions a task's offsets land in. */
  #targetsOf(): number[] {
    if (this.strategy === "same") return [this.sourcePartition];
    return Array.from({ length: this.targetPartitions }, (_, t) => t);
  }

  /**
   * The first record of the transaction (`records` going to `partitions`) that each
   * unsettled (group, target partition) pair had not consumed.
   */
  candidates(records: readonly ArchivedRecord[], partitions: readonly number[]): Candidate[] {
    const found: Candidate[] = [];
    for (const task of this.tasks) {
      const threshold = task.offset ?? 0;
      const open = new Set(this.#targetsOf().filter((t) => !this.#isReported(task, t)));
      for (let i = 0; i < records.length && open.size > 0; i++) {
        if (records[i].offset < threshold || !open.has(partitions[i])) continue;
        open.delete(partitions[i]);
        found.push({ task, targetPartition: partitions[i], recordIndex: i });
      }
    }
    return found;
  }

  /** The pairs never settled: at the end of the partition they get the target's end. */
  endCandidates(): Candidate[] {
    const found: Candidate[] = [];
    for (const task of this.tasks) {
      for (const t of this.#targetsOf()) {
        if (!this.#isReported(task, t)) found.push({ task, targetPartition: t, recordIndex: -1 });
      }
    }
    return found;
  }

  /** After the transaction holding `candidates` committed. */
  settle(candidates: readonly Candidate[]): void {
    for (const c of candidates) this.#reported.add(lockKey(c));
  }

  #isReported(task: GroupTask, t: number): boolean {
    return this.#reported.has(lockKey({ task, targetPartition: t, recordIndex: 0 }));
  }
}

/**
 * The commits for candidates whose target offsets are now known: each only when lower
 * than the group's committed offset there (`current`, null when none), grouped by target
 * group for `sendOffsets`.
 */
export function commitsFor(
  candidates: ReadonlyArray<{ candidate: Candidate; targetOffset: number }>,
  current: (group: string, partition: number) => number | null,
  targetTopic: string,
): GroupOffsetCommit[] {
  const byGroup = new Map<string, GroupOffsetCommit["topics"][0]["partitions"]>();
  for (const { candidate, targetOffset } of candidates) {
    const { task, targetPartition } = candidate;
    const now = current(task.target, targetPartition);
    if (now !== null && now <= targetOffset) continue;
    const partitions = byGroup.get(task.target) ?? [];
    partitions.push({
      partition: targetPartition,
      offset: String(targetOffset),
      metadata: task.metadata,
    });
    byGroup.set(task.target, partitions);
  }
  return [...byGroup].map(([group, partitions]) => ({
    consumerGroupId: group,
    topics: [{ topic: targetTopic, partitions }],
  }));
}
