/** Messages between the restore's main thread and its producer Workers. */
import type { RestoreJob } from "../config/restore_job.ts";
import type { PartitionTask } from "./restore_partition.ts";
import type { RestoreCounters } from "./restore_partition.ts";

export type ToRestoreWorker =
  | {
    type: "start";
    job: RestoreJob;
    workerIndex: number;
    /** How many Workers share the job (and its rate limits). */
    workers: number;
    tasks: PartitionTask[];
  }
  | { type: "stop" }
  /** The main thread granted lock request `id` (see offset_locks.ts). */
  | { type: "locked"; id: number };

export type FromRestoreWorker =
  | { type: "counters"; workerIndex: number; counters: RestoreCounters }
  | { type: "lock"; workerIndex: number; id: number; keys: string[] }
  | { type: "unlock"; workerIndex: number; id: number }
  | { type: "done"; workerIndex: number; counters: RestoreCounters };
// A Worker that cannot go on posts a FatalMessage (lib/util/worker_pool.ts).
