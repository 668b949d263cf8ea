/**
 * The backup's partition assigner: round robin over the members of complete processes
 * only. Each member says in its subscription which process it belongs to and how many
 * consumers that process runs; while some of a process's consumers have not joined yet
 * (a start: they join milliseconds apart), its members get nothing, so no partition is
 * read by one consumer and then moved to its sibling a second later, read again. When a
 * process is complete, the next rebalance spreads the partitions. Partitions go to the
 * same members for the same group, so a rebalance that changes nothing moves nothing.
 *
 * Members without this metadata (another version of the tool) count as complete
 * processes of their own; the group falls back to round robin when any member lacks
 * this assigner.
 */
import { Buffer } from "node:buffer";
import { AssignerProtocol, type PartitionAssigner, PartitionAssigners } from "./kafkajs.ts";

/** What each member tells the group's leader about itself. */
export interface MemberProcess {
  memberId: string;
  /** An id of the member's process; null when the member did not say. */
  process: string | null;
  /** How many consumers the process runs. */
  threads: number;
  /** This member's index among them (for a stable order). */
  index: number;
}

/**
 * topic -> partitions for each member: round robin over the members of processes that
 * have all their consumers in the group; every other member gets nothing.
 */
export function assignByProcess(
  members: readonly MemberProcess[],
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
): Map<string, Record<string, number[]>> {
  const perProcess = new Map<string, number>();
  for (const m of members) {
    if (m.process) perProcess.set(m.process, (perProcess.get(m.process) ?? 0) + 1);
  }
  const complete = (m: MemberProcess) =>
    m.process === null || perProcess.get(m.process)! >= m.threads;
  const eligible = members.filter(complete).sort((a, b) =>
    (a.process ?? a.memberId).localeCompare(b.process ?? b.memberId) || a.index - b.index ||
    a.memberId.localeCompare(b.memberId)
  );
  const assignment = new Map<string, Record<string, number[]>>(
    members.map((m) => [m.memberId, {}]),
  );
  if (eligible.length === 0) return assignment;
  const sorted = [...partitions].sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
  );
  sorted.forEach(({ topic, partition }, i) => {
    const owner = assignment.get(eligible[i % eligible.length].memberId)!;
    (owner[topic] ??= []).push(partition);
  });
  return assignment;
}

const NAME = "KafkaBackupProcessAssigner";
const VERSION = 0;

function readMember(memberId: string, metadata: Buffer): MemberProcess {
  const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
  try {
    const info = JSON.parse(decoded?.userData?.toString() ?? "");
    if (typeof info.process === "string" && Number.isInteger(info.threads)) {
      return { memberId, process: info.process, threads: info.threads, index: info.index ?? 0 };
    }
  } catch {
    // Not ours: a process of its own.
  }
  return { memberId, process: null, threads: 1, index: 0 };
}

/**
 * The assigners for a consumer that is member `index` of a process `process` running
 * `threads` consumers: this one first, kafkajs's round robin as the group's fallback.
 */
export function processAssigners(
  process: string,
  threads: number,
  index: number,
): PartitionAssigner[] {
  const userData = Buffer.from(JSON.stringify({ process, threads, index }));
  const assigner: PartitionAssigner = ({ cluster }) => ({
    name: NAME,
    version: VERSION,
    protocol: ({ topics }) => ({
      name: NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData }),
    }),
    assign: ({ members, topics }) => {
      const partitions = topics.flatMap((topic) =>
        cluster.findTopicPartitionMetadata(topic).map((m) => ({ topic, partition: m.partitionId }))
      );
      const processes = members.map((m) => readMember(m.memberId, m.memberMetadata));
      const assignment = assignByProcess(processes, partitions);
      return Promise.resolve([...assignment].map(([memberId, topicPartitions]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: VERSION,
          assignment: topicPartitions,
          userData: Buffer.alloc(0),
        }),
      })));
    },
  });
  return [assigner, PartitionAssigners.roundRobin];
}
