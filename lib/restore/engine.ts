/**
 * The restore's main thread: plans from the archive index, prepares the targets, checks
 * the safety rules, writes first checkpoints, then runs NUMBER_OF_KAFKA_THREADS producer
 * Workers until done (once) or stopped (follow).
 */
import type { Admin } from "../kafka/kafkajs.ts";
import { connectAdmin } from "../kafka/client.ts";
import { withKafkaRetry } from "../kafka/topics.ts";
import type { RestoreJob } from "../config/restore_job.ts";
import { jobFingerprint } from "../config/restore_job.ts";
import { BackupToolError, ExitCode, RefusedError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { openStorage } from "../storage/open.ts";
import { type CheckpointId, readCheckpoint } from "./checkpoint.ts";
import type { FromRestoreWorker, ToRestoreWorker } from "./messages.ts";
import { type PartitionPlan, plannedRecords, planPartitions } from "./plan.ts";
import { LiveStatus, statusText } from "../util/live_status.ts";
import type { PartitionTask, RestoreCounters } from "./restore_partition.ts";
import { prepareTarget } from "./target.ts";

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
  partitions: Array<{
    source: string;
    target: string;
    partition: number;
    chunks: number;
    records: number;
    resumeAt: number | null;
  }>;
}

interface Prepared {
  plans: PartitionPlan[];
  tasks: PartitionTask[];
  resumeAt: Map<PartitionTask, number | null>;
}

/**
 * Plans, checks the targets and the safety rules, and reads checkpoints. Creates missing
 * topics when the job asks for it, unless `dryRun`.
 */
async function prepare(
  admin: Admin,
  job: RestoreJob,
  logger: Logger,
  dryRun = false,
): Promise<Prepared> {
  const backend = await openStorage(job.storage, logger, { retrySeconds: job.retrySeconds });
  const fingerprint = jobFingerprint(job);
  try {
    const { plans, archivedPartitions } = await planPartitions(backend, job.topics, job.partitions);
    const tasks: PartitionTask[] = [];
    const resumeAt = new Map<PartitionTask, number | null>();
    if (job.offsetMapTopic) {
      // Our own bookkeeping topic: created when missing (one partition, so it reads in order).
      await prepareTarget(admin, job.offsetMapTopic, {
        sourcePartitions: 1,
        strategy: "random",
        create: true,
        dryRun,
      });
    }
    for (const { source, target } of job.topics) {
      const archived = archivedPartitions.get(source)!;
      const info = await prepareTarget(admin, target, {
        sourcePartitions: Math.max(...archived) + 1,
        strategy: job.strategy,
        create: job.createTopic,
        dryRun,
      });
      // A checkpoint of ANY archived partition means this job already wrote here (possibly
      // another process restoring other partitions of the same job).
      const checkpoints = new Map<number, number | null>();
      for (const partition of archived) {
        const id = { fingerprint, sourceTopic: source, partition, targetTopic: target };
        checkpoints.set(partition, await readCheckpoint(admin, id));
      }
      const resuming = [...checkpoints.values()].some((offset) => offset !== null);
      if (info.nonEmpty && !resuming && !job.allowNonEmptyTarget) {
        throw new RefusedError(
          `Target topic "${target}" already holds records and no checkpoint of this restore job is there: ` +
            `refusing to mix data (set "ALLOW_NON_EMPTY_TARGET": true to write anyway)`,
        );
      }
      for (const plan of plans.filter((p) => p.sourceTopic === source)) {
        const checkpoint: CheckpointId = {
          fingerprint,
          sourceTopic: source,
          partition: plan.partition,
          targetTopic: target,
        };
        const task: PartitionTask = {
          checkpoint,
          firstOffset: Math.max(plan.entries[0]?.from ?? 0, job.startOffset ?? 0),
          targetPartitions: info.partitions,
          maxMessageBytes: info.maxMessageBytes,
        };
        tasks.push(task);
        resumeAt.set(task, checkpoints.get(plan.partition) ?? null);
      }
    }
    return { plans, tasks, resumeAt };
  } finally {
    await backend.close();
  }
}

/** The plan, without producing anything (restore.ts --dry-run). */
export async function dryRun(job: RestoreJob, logger: Logger): Promise<DryRunPlan> {
  const admin = await connectAdmin(job.kafka, "kafka-backup-restore-main", logger);
  try {
    const { plans, tasks, resumeAt } = await prepare(admin, job, logger, true);
    return {
      strategy: job.strategy,
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
  for (let i = 0; i < job.threads; i++) {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<FromRestoreWorker>) => {
      const message = event.data;
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
      () => prepare(admin, job, logger),
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
