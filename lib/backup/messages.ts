/** Messages between the backup's main thread and its consumer Workers. */
import type { BackupJob } from "../config/backup_job.ts";

/** Key of a topic partition in maps: "topic/partition". */
export const tpKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/** The topic and partition of a {@linkcode tpKey} (a topic never holds "/"). */
export function parseTpKey(key: string): { topic: string; partition: number } {
  const cut = key.lastIndexOf("/");
  return { topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)) };
}

export type ToWorker =
  | {
    type: "start";
    job: BackupJob;
    workerIndex: number;
    topics: string[];
    /** Once mode: the end offset of each partition ("topic/partition" -> offset), captured at start. */
    endOffsets: Record<string, number> | null;
    timestampTypes: Record<string, "CreateTime" | "LogAppendTime">;
    /** An id of this process: the group's assigner waits for all its consumers (process_assigner.ts). */
    process: string;
  }
  /** Every Worker is ready: join the group now, all together. */
  | { type: "run" }
  | { type: "stop" };

export interface WorkerCounters {
  /** Records consumed (appended to chunks). */
  records: number;
  /** Payload bytes consumed. */
  bytes: number;
  /** Chunks stored, and their size on storage. */
  chunks: number;
  storedBytes: number;
  /** Records that are durably stored. */
  storedRecords: number;
  /** Bytes of sealed chunks waiting to be stored (uploaded). */
  queuedBytes?: number;
}

export type FromWorker =
  /** Connected and subscribed: waiting for "run". */
  | { type: "ready"; workerIndex: number }
  | { type: "counters"; workerIndex: number; counters: WorkerCounters }
  | { type: "stopped"; workerIndex: number; counters: WorkerCounters };
// A Worker that cannot go on posts a FatalMessage (lib/util/worker_pool.ts).
