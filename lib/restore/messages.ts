/** Messages between the restore's main thread and its producer Workers. */
import type { RestoreJob } from "../config/restore_job.ts";
import type { PartitionTask } from "./restore_partition.ts";
import type { RestoreCounters } from "./restore_partition.ts";

export type ToRestoreWorker =
  | { type: "start"; job: RestoreJob; workerIndex: number; tasks: PartitionTask[] }
  | { type: "stop" };

export type FromRestoreWorker =
  | { type: "counters"; workerIndex: number; counters: RestoreCounters }
  | { type: "done"; workerIndex: number; counters: RestoreCounters }
  | { type: "fatal"; workerIndex: number; message: string; exitCode: number };
