/**
 * The restore's main thread: plans from the archive index, prepares the targets, checks
 * the safety rules, writes first checkpoints, then runs NUMBER_OF_KAFKA_THREADS producer
 * Workers until done (once) or stopped (follow).
 */
import { connectAdmin } from "../kafka/client.ts";
import { withKafkaRetry } from "../kafka/topics.ts";
import type { RestoreJob } from "../config/restore_job.ts";
import { BackupToolError, ExitCode } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { FromRestoreWorker, ToRestoreWorker } from "./messages.ts";
import { plannedRecords } from "./plan.ts";
import { LiveStatus, statusText } from "../util/live_status.ts";
import type { RestoreCounters } from "./restore_partition.ts";
import { prepareRestore } from "./prepare.ts";
import { LockServer } from "./offset_locks.ts";
import { type DryRunGroup, dryRunGroups } from "./dry_run_groups.ts";

export interface RestoreSummary {
  topics: Array<{ source: string; target: string }>;
  partitions: number;
  records: number;
  bytes: number;
  chunks: number;
  durationSeconds: number;
  mbPerSecond: number;
}

export interface DryRunPlan {
  strategy: string;
  /** The restoration point restored up to, if any. */
  point: string | null;
  /** The group snapshot translated, if any, and each group's offsets source -> target. */
  groupSnapshot: string | null;
  groups: DryRunGroup[];
  partitions: Array<{
    source: string;
    target: string;
    partition: number;
    chunks: number;
    records: number;
    resumeAt: number | null;
  }>;
}

/** The plan, without producing anything (restore.ts --dry-run). */
export async function dryRun(job: RestoreJob, logger: Logger): Promise<DryRunPlan> {
  const admin = await connectAdmin(job.kafka, "kafka-backup-restore-main", logger);
  try {
    const { plans, tasks, resumeAt, point, groups } = await prepareRestore(
      admin,
      job,
      logger,
      true,
    );
    return {
      strategy: job.strategy,
      point: point?.id ?? null,
      groupSnapshot: groups?.snapshot.key ?? null,
      groups: groups ? await dryRunGroups(admin, job, tasks) : [],
      partitions: plans.map((plan, i) => ({
        source: plan.sourceTopic,
        target: plan.targetTopic,
        partition: plan.partition,
        chunks: plan.entries.length,
        records: plannedRecords(plan),
        resumeAt: resumeAt.get(tasks[i]) ?? null,
      })),
    };
  } finally {
    await admin.disconnect();
  }
}

/** Runs the restore until done (once) or stopped by SIGTERM/SIGINT (follow). */
export async function runRestore(job: RestoreJob, logger: Logger): Promise<RestoreSummary> {
  const started = Date.now();
  const counters = new Map<number, RestoreCounters>();
  const done = new Set<number>();
  let failure: BackupToolError | null = null;
  let wake: () => void = () => {};
  const woken = () => new Promise<void>((resolve) => (wake = resolve));
  // The Workers load their modules (the Kafka client: about a second of CPU) while this
  // thread plans; they start producing only when their partitions are sent to them.
  let workers: Worker[] = [];
  const locks = new LockServer((owner, id) =>
    workers[owner]?.postMessage({ type: "locked", id } satisfies ToRestoreWorker)
  );
  for (let i = 0; i < job.threads; i++) {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<FromRestoreWorker>) => {
      const message = event.data;
      if (message.type === "lock") {
        return locks.request(message.workerIndex, message.id, message.keys);
      }
      if (message.type === "unlock") return locks.release(message.workerIndex, message.id);
      if (message.type !== "fatal") counters.set(message.workerIndex, message.counters);
      if (message.type === "done") done.add(message.workerIndex);
      if (message.type === "fatal") {
        failure ??= new BackupToolError(message.message, message.exitCode as 1);
      }
      wake();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      failure ??= new BackupToolError(`Producer ${i} crashed: ${event.message}`, ExitCode.internal);
      wake();
    };
    workers.push(worker);
  }
  const admin = await connectAdmin(job.kafka, "kafka-backup-restore-main", logger).catch(
    (error) => {
      for (const worker of workers) worker.terminate();
      throw error;
    },
  );
  try {
    const { plans, tasks } = await withKafkaRetry(
      "planning the restore",
      () => prepareRestore(admin, job, logger),
    );
    logger.info(
      `restoring ${plans.length} partition(s) of ${
        job.topics.map((t) => `${t.source} -> ${t.target}`).join(", ")
      } ` +
        `with strategy ${job.strategy}, ${job.threads} producer(s), mode ${job.runMode}`,
    );

    // No more Workers than partitions: the others are not needed.
    const threads = Math.max(1, Math.min(job.threads, tasks.length));
    for (const spare of workers.slice(threads)) spare.terminate();
    workers = workers.slice(0, threads);
    workers.forEach((worker, i) => {
      const mine = tasks.filter((_, t) => t % threads === i);
      worker.postMessage(
        { type: "start", job, workerIndex: i, tasks: mine } satisfies ToRestoreWorker,
      );
    });
    const onSignal = () => {
      logger.info("stop requested: finishing the open transactions");
      for (const worker of workers) worker.postMessage({ type: "stop" } satisfies ToRestoreWorker);
      wake();
    };
    Deno.addSignalListener("SIGTERM", onSignal);
    Deno.addSignalListener("SIGINT", onSignal);
    try {
      let lastProgress = Date.now();
      let previousRecords = 0;
      const live = new LiveStatus();
      // Planned from the index (before range filters and the checkpoint): an upper bound.
      const planned = plans.reduce((n, p) => n + plannedRecords(p), 0);
      while (done.size < workers.length && !failure) {
        await Promise.race([new Promise((r) => setTimeout(r, 1000)), woken()]);
        const restored = [...counters.values()].reduce((n, c) => n + c.records, 0);
        const bytes = [...counters.values()].reduce((n, c) => n + c.bytes, 0);
        const seconds = (Date.now() - started) / 1000;
        if (job.runMode === "once") {
          const left = Math.max(0, planned - restored);
          live.show(
            statusText(restored, bytes / (1024 * 1024) / seconds, left, restored / seconds),
          );
        }
        if (Date.now() - lastProgress >= job.progressIntervalSeconds * 1000) {
          live.clear();
          const records = restored;
          const rate = (records - previousRecords) / ((Date.now() - lastProgress) / 1000);
          logger.info(`progress: ${Math.round(rate)} records/s, ${records} records restored`);
          previousRecords = records;
          lastProgress = Date.now();
        }
      }
      live.clear();
      if (failure) throw failure;
    } finally {
      Deno.removeSignalListener("SIGTERM", onSignal);
      Deno.removeSignalListener("SIGINT", onSignal);
    }
    const total = { records: 0, bytes: 0, chunks: 0 };
    for (const c of counters.values()) {
      total.records += c.records;
      total.bytes += c.bytes;
      total.chunks += c.chunks;
    }
    const seconds = (Date.now() - started) / 1000;
    return {
      topics: job.topics,
      partitions: plans.length,
      records: total.records,
      bytes: total.bytes,
      chunks: total.chunks,
      durationSeconds: seconds,
      mbPerSecond: total.bytes / (1024 * 1024) / seconds,
    };
  } finally {
    for (const worker of workers) worker.terminate();
    await admin.disconnect().catch(() => {});
  }
}
