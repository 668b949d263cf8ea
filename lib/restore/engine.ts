/**
 * The restore's main thread: plans from the archive index, prepares the targets, checks
 * the safety rules, writes first checkpoints, then runs NUMBER_OF_KAFKA_THREADS producer
 * Workers until done (once) or stopped (follow).
 */
import { connectAdmin } from "../kafka/client.ts";
import { withKafkaRetry } from "../kafka/errors.ts";
import type { RestoreJob } from "../config/restore_job.ts";
import { WorkerPool } from "../util/worker_pool.ts";
import type { PartitionTask } from "./restore_partition.ts";
import type { Logger } from "../log.ts";
import type { FromRestoreWorker, ToRestoreWorker } from "./messages.ts";
import { plannedRecords } from "./plan.ts";
import { LiveStatus, statusText } from "../util/live_status.ts";
import type { RestoreCounters } from "./restore_partition.ts";
import { prepareRestore } from "./prepare.ts";
import { LockServer } from "./offset_locks.ts";
import type { RunMetrics } from "../metrics/run_metrics.ts";
import { type DryRunGroup, dryRunGroups } from "./dry_run_groups.ts";
import { type DryRunLatest, dryRunLatest } from "./dry_run_latest.ts";

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
    /** LATEST_PER_KEY: records of the range, and those the restore writes. */
    latestPerKey?: DryRunLatest;
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
    const latest = job.latestPerKey
      ? await dryRunLatest(admin, job, plans, tasks, resumeAt, logger)
      : [];
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
        ...(latest[i] ? { latestPerKey: latest[i] } : {}),
      })),
    };
  } finally {
    await admin.disconnect();
  }
}

/** The producer Workers, what they reported, and the group-offset locks they share. */
class Producers {
  readonly counters = new Map<number, RestoreCounters>();
  readonly done = new Set<number>();
  readonly pool: WorkerPool<ToRestoreWorker, FromRestoreWorker>;
  readonly #locks = new LockServer((owner, id) => this.pool.post(owner, { type: "locked", id }));

  constructor(threads: number) {
    this.pool = new WorkerPool(
      new URL("./worker.ts", import.meta.url),
      threads,
      (i) => `Producer ${i}`,
      (message) => {
        if (message.type === "lock") {
          return this.#locks.request(message.workerIndex, message.id, message.keys);
        }
        if (message.type === "unlock") return this.#locks.release(message.workerIndex, message.id);
        this.counters.set(message.workerIndex, message.counters);
        if (message.type === "done") this.done.add(message.workerIndex);
      },
      false,
    );
  }

  total(): RestoreCounters {
    const total = { records: 0, bytes: 0, chunks: 0 };
    for (const c of this.counters.values()) {
      total.records += c.records;
      total.bytes += c.bytes;
      total.chunks += c.chunks;
    }
    return total;
  }

  /** Spreads the partitions over the Workers; no more Workers than partitions. */
  start(job: RestoreJob, tasks: PartitionTask[]): void {
    const threads = Math.max(1, Math.min(job.threads, tasks.length));
    this.pool.shrink(threads);
    for (let i = 0; i < threads; i++) {
      const mine = tasks.filter((_, t) => t % threads === i);
      this.pool.post(i, { type: "start", job, workerIndex: i, workers: threads, tasks: mine });
    }
  }
}

/** Reports progress until every Worker is done (once) or stopped (follow, by a signal). */
async function watch(
  job: RestoreJob,
  producers: Producers,
  planned: number,
  logger: Logger,
  metrics?: RunMetrics,
) {
  const started = Date.now();
  let lastProgress = Date.now();
  let previousRecords = 0;
  const live = new LiveStatus();
  try {
    while (producers.done.size < producers.pool.size) {
      await producers.pool.next();
      if (producers.pool.failure) throw producers.pool.failure;
      const { records, bytes, chunks } = producers.total();
      metrics?.update({ recordsRestored: records, bytesRestored: bytes, chunks });
      const seconds = (Date.now() - started) / 1000;
      if (job.runMode === "once") {
        const left = Math.max(0, planned - records);
        live.show(statusText(records, bytes / (1024 * 1024) / seconds, left, records / seconds));
      }
      if (Date.now() - lastProgress >= job.progressIntervalSeconds * 1000) {
        live.clear();
        const rate = (records - previousRecords) / ((Date.now() - lastProgress) / 1000);
        logger.info(`progress: ${Math.round(rate)} records/s, ${records} records restored`);
        previousRecords = records;
        lastProgress = Date.now();
      }
    }
  } finally {
    live.clear();
  }
}

/** Runs the restore until done (once) or stopped by SIGTERM/SIGINT (follow). */
export async function runRestore(
  job: RestoreJob,
  logger: Logger,
  metrics?: RunMetrics,
): Promise<RestoreSummary> {
  const started = Date.now();
  // The Workers load their modules (the Kafka client: about a second of CPU) while this
  // thread plans; they start producing only when their partitions are sent to them.
  const producers = new Producers(job.threads);
  const onSignal = () => {
    logger.info("stop requested: finishing the open transactions");
    producers.pool.broadcast({ type: "stop" });
    producers.pool.wake();
  };
  const admin = await connectAdmin(job.kafka, "kafka-backup-restore-main", logger).catch(
    (error) => {
      producers.pool.terminate();
      throw error;
    },
  );
  Deno.addSignalListener("SIGTERM", onSignal);
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    const { plans, tasks } = await withKafkaRetry(
      "planning the restore",
      () => prepareRestore(admin, job, logger),
    );
    const pairs = job.topics.map((t) => `${t.source} -> ${t.target}`).join(", ");
    logger.info(
      `restoring ${plans.length} partition(s) of ${pairs} with strategy ${job.strategy}, ` +
        `${job.threads} producer(s), mode ${job.runMode}`,
    );
    producers.start(job, tasks);
    // Planned from the index (before range filters and the checkpoint): an upper bound.
    await watch(job, producers, plans.reduce((n, p) => n + plannedRecords(p), 0), logger, metrics);
    const total = producers.total();
    metrics?.update({
      recordsRestored: total.records,
      bytesRestored: total.bytes,
      chunks: total.chunks,
    });
    const seconds = (Date.now() - started) / 1000;
    return {
      topics: job.topics,
      partitions: plans.length,
      ...total,
      durationSeconds: seconds,
      mbPerSecond: total.bytes / (1024 * 1024) / seconds,
    };
  } finally {
    Deno.removeSignalListener("SIGTERM", onSignal);
    Deno.removeSignalListener("SIGINT", onSignal);
    producers.pool.terminate();
    await admin.disconnect().catch(() => {});
  }
}
