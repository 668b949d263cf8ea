/**
 * The backup's main thread: chooses the topics, captures end offsets (once mode), runs
 * NUMBER_OF_KAFKA_THREADS consumer Workers, reports progress, and stops them cleanly on
 * SIGTERM/SIGINT or, in once mode, when every partition is stored up to its end.
 */
import type { Admin } from "../kafka/kafkajs.ts";
import { connectAdmin } from "../kafka/client.ts";
import { renewableAdmin } from "../kafka/renewable_admin.ts";
import { unseenTopicHint } from "../kafka/authorization.ts";
import { partitionOffsets, selectTopics, timestampTypeOf } from "../kafka/topics.ts";
import { isRetriableKafkaError, withKafkaRetry } from "../kafka/errors.ts";
import type { BackupJob } from "../config/backup_job.ts";
import { BackupToolError, ConfigError, ExitCode } from "../errors.ts";
import { WorkerPool } from "../util/worker_pool.ts";
import type { RunMetrics, RunTotals } from "../metrics/run_metrics.ts";
import { archiveReaches, currentEnds, lagBehind } from "./lag.ts";
import type { Logger } from "../log.ts";
import { openStorage } from "../storage/open.ts";
import { LocalBackend } from "../storage/local.ts";
import { uploadLeftovers } from "./staged_upload.ts";
import { BackupMetadata, MetadataSchedule } from "./metadata.ts";
import { RetentionSchedule } from "./retention_schedule.ts";
import { TopicRefresh } from "./topic_refresh.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { lockStagingDir } from "./staging_lock.ts";
import {
  type FromWorker,
  parseTpKey,
  type ToWorker,
  tpKey,
  type WorkerCounters,
} from "./messages.ts";
import { type BackupSummary, mb, progressLine, sumCounters } from "./progress.ts";
import { LiveStatus, statusText } from "../util/live_status.ts";

/** How long stopping may take: open chunks are stored and the consumers leave the group. */
export const STOP_TIMEOUT_MS = 30_000;

interface Plan {
  topics: string[];
  partitions: number;
  /** Topic -> partition count: what a topic refresh compares. */
  partitionCounts: Record<string, number>;
  timestampTypes: Record<string, "CreateTime" | "LogAppendTime">;
  /** Once mode: partitions still to back up, with their end offsets. */
  endOffsets: Record<string, number> | null;
}

async function makePlan(admin: Admin, job: BackupJob, refresh = false): Promise<Plan> {
  const topics = await selectTopics(admin, {
    names: job.topicNames,
    include: job.topicIncludeRegex,
    exclude: job.topicExcludeRegex,
  }, { skipMissing: refresh, unseenHint: unseenTopicHint(job.kafka, "READ") });
  if (topics.length === 0) {
    throw new ConfigError("No topic to back up: TOPIC_NAMES / TOPIC_INCLUDE_REGEX match no topic");
  }
  const timestampTypes: Plan["timestampTypes"] = {};
  const endOffsets: Record<string, number> = {};
  const partitionCounts: Record<string, number> = {};
  let partitions = 0;
  for (const topic of topics) {
    timestampTypes[topic] = await timestampTypeOf(admin, topic);
    const offsets = await partitionOffsets(admin, topic);
    partitionCounts[topic] = offsets.length;
    for (const p of offsets) {
      partitions++;
      if (p.high > p.low) endOffsets[tpKey(topic, p.partition)] = p.high;
    }
  }
  return {
    topics,
    partitions,
    partitionCounts,
    timestampTypes,
    endOffsets: job.runMode === "once" ? endOffsets : null,
  };
}

/** `fn` with an admin of its own, so topics it asks about never reach the main one's requests. */
async function withAdmin<T>(connect: () => Promise<Admin>, fn: (admin: Admin) => Promise<T>) {
  const admin = await connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The consumer Workers and what they reported. */
class Consumers {
  readonly counters = new Map<number, WorkerCounters>();
  readonly stopped = new Set<number>();
  readonly ready = new Set<number>();
  pool: WorkerPool<ToWorker, FromWorker>;
  /** What the Workers replaced by a topic refresh counted. */
  #before: WorkerCounters[] = [];

  constructor(private readonly threads: number) {
    this.pool = this.#spawn();
  }

  #spawn(): WorkerPool<ToWorker, FromWorker> {
    return new WorkerPool(
      new URL("./worker.ts", import.meta.url),
      this.threads,
      (i) => `Consumer ${i}`,
      (message) => {
        if (message.type === "counters" || message.type === "stopped") {
          this.counters.set(message.workerIndex, message.counters);
        }
        if (message.type === "stopped") this.stopped.add(message.workerIndex);
        if (message.type === "ready") this.ready.add(message.workerIndex);
      },
    );
  }

  /** Fresh Workers for a new plan, once the old ones have stopped; their counts are kept. */
  renew(): void {
    this.#before = [this.total()];
    this.pool.terminate();
    this.counters.clear();
    this.stopped.clear();
    this.ready.clear();
    this.pool = this.#spawn();
  }

  total(): WorkerCounters {
    return sumCounters([...this.#before, ...this.counters.values()]);
  }

  /**
   * Sends the plan, waits until every consumer is connected, then lets them all join
   * the group at once, so a start does not move partitions between them (their assigner
   * also waits for every one of them: process_assigner.ts).
   */
  async start(job: BackupJob, plan: Plan): Promise<void> {
    const process = `${Deno.hostname()}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
    for (let i = 0; i < this.pool.size; i++) {
      this.pool.post(i, {
        type: "start",
        job,
        workerIndex: i,
        topics: plan.topics,
        endOffsets: plan.endOffsets,
        timestampTypes: plan.timestampTypes,
        process,
      });
    }
    await this.pool.until(() => this.ready.size === this.pool.size);
    this.pool.broadcast({ type: "run" });
  }

  /** Stores the open chunks and leaves the group, within STOP_TIMEOUT_MS. */
  async stop(): Promise<void> {
    this.pool.broadcast({ type: "stop" });
    const done = await this.pool.until(() => this.stopped.size === this.pool.size, STOP_TIMEOUT_MS);
    if (!done) {
      throw new BackupToolError(
        `Consumers did not stop within ${STOP_TIMEOUT_MS / 1000} s`,
        ExitCode.internal,
      );
    }
  }
}

/**
 * Opens the archive's storage, failing early and clearly when it is missing or refuses
 * us; for a cloud archive, locks the staging directory and uploads what an interrupted
 * run left there, before any consumer starts.
 */
async function openArchive(
  job: BackupJob,
  logger: Logger,
): Promise<{ storage: StorageBackend; stagingLock: Deno.FsFile | null }> {
  const storage = await openStorage(job.storage, logger, {
    maxRetryWaitSeconds: job.retryUploadSeconds,
  });
  try {
    await storage.stat("kafka-backup.check");
    if (job.storage.type === "local") return { storage, stagingLock: null };
    const stagingLock = await lockStagingDir(job.storage.stagingDir);
    await uploadLeftovers(new LocalBackend(job.storage.stagingDir), storage, logger);
    return { storage, stagingLock };
  } catch (error) {
    await storage.close().catch(() => {});
    throw error;
  }
}

/** What the watch loop needs. */
interface Watch {
  admin: Admin;
  /** The archive: a once run ends when it reaches the end offsets. */
  storage: StorageBackend;
  job: BackupJob;
  plan: Plan;
  consumers: Consumers;
  schedule: MetadataSchedule | null;
  retention: RetentionSchedule | null;
  /** Continuous mode: matches the topic keys again now and then (topic_refresh.ts). */
  refresh: TopicRefresh<Plan> | null;
  /** Hears of the topics a refresh moves the backup to, before the plan changes. */
  onTopics: (topics: string[]) => Promise<void>;
  logger: Logger;
  started: number;
  stopRequested: () => boolean;
  metrics?: RunMetrics;
}

/**
 * Reports progress until a signal asks to stop, a consumer fails, (once mode) the group
 * and the archive have both reached the ends captured at start, or (continuous mode) a
 * topic refresh returns a new plan.
 */
async function watch(w: Watch): Promise<Plan | null> {
  const { consumers, job, logger } = w;
  let lastProgress = Date.now();
  let previous = consumers.total();
  let lag: number | null = null;
  const live = new LiveStatus();
  try {
    for (;;) {
      w.metrics?.update(totalsOf(consumers.total()));
      const progressDue = Date.now() - lastProgress >= job.progressIntervalSeconds * 1000;
      if (w.plan.endOffsets || progressDue) {
        const perPartition = await measureLag(w);
        if (perPartition) lag = [...perPartition.values()].reduce((a, b) => a + b, 0);
        const caughtUp = perPartition && [...perPartition.values()].every((n) => n === 0);
        if (w.plan.endOffsets && caughtUp && await archiveReaches(w.storage, w.plan.endOffsets)) {
          return null;
        }
      }
      if (w.plan.endOffsets) {
        const current = consumers.total();
        const seconds = (Date.now() - w.started) / 1000;
        live.show(
          statusText(current.records, mb(current.bytes) / seconds, lag, current.records / seconds),
        );
      }
      if (progressDue) {
        const current = consumers.total();
        live.clear();
        logger.info(progressLine(previous, current, (Date.now() - lastProgress) / 1000, lag));
        previous = current;
        lastProgress = Date.now();
      }
      if (w.stopRequested()) return null;
      await consumers.pool.next();
      if (consumers.pool.failure) throw consumers.pool.failure;
      w.schedule?.tick();
      w.retention?.tick();
      const changed = await w.refresh?.check(w.plan);
      if (changed) return changed;
    }
  } finally {
    live.clear();
  }
}

/**
 * Per-partition lag: against the ends captured at start (once mode) or the current ends
 * (continuous mode, at progress lines), reported to the metrics. Null while a broker
 * restarts: that is no reason to stop, the next tick asks again.
 */
async function measureLag(w: Watch): Promise<Map<string, number> | null> {
  try {
    const ends = w.plan.endOffsets ?? await currentEnds(w.admin, w.plan.topics);
    const lag = await lagBehind(w.admin, w.job.groupId, w.plan.topics, ends);
    for (const [key, records] of lag) {
      const { topic, partition } = parseTpKey(key);
      w.metrics?.partitionLag(topic, partition, records);
    }
    return lag;
  } catch (error) {
    if (!isRetriableKafkaError(error)) throw error;
    w.logger.warn(`cannot read the group's progress yet: ${(error as Error).message}`);
    return null;
  }
}

/** A backup's worker counters as the metrics' totals. */
const totalsOf = (c: WorkerCounters): RunTotals => ({
  recordsRead: c.records,
  bytesRead: c.bytes,
  recordsStored: c.storedRecords,
  bytesStored: c.storedBytes,
  chunks: c.chunks,
  queuedBytes: c.queuedBytes,
});

/** Runs the backup until stopped (continuous) or done (once). */
export async function runBackup(
  job: BackupJob,
  logger: Logger,
  metrics?: RunMetrics,
): Promise<BackupSummary> {
  const started = Date.now();
  // The Workers load their modules (the Kafka client: about a second of CPU) while this
  // thread plans; they start consuming only when the plan is sent to them.
  const consumers = new Consumers(job.threads);
  let stopRequested = false;
  const onSignal = () => {
    logger.info("stop requested: storing open chunks");
    stopRequested = true;
    consumers.pool.wake();
  };
  const connect = () => connectAdmin(job.kafka, "kafka-backup-main", logger);
  const main = renewableAdmin(
    await connect().catch((error) => {
      consumers.pool.terminate();
      throw error;
    }),
    connect,
  );
  const admin = main.admin;
  let archive: Awaited<ReturnType<typeof openArchive>> | null = null;
  Deno.addSignalListener("SIGTERM", onSignal);
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    const plan = await withKafkaRetry("planning the backup", () => makePlan(admin, job));
    archive = await openArchive(job, logger);
    logger.info(
      `backing up ${plan.topics.join(",")} (${plan.partitions} partitions) with ${job.threads} ` +
        `consumer(s) in group ${job.groupId}, mode ${job.runMode}`,
    );
    const metadata = new BackupMetadata(archive.storage, admin, job, plan.topics, logger);
    // Before the consumers start: an ENCRYPTION_KEY_ID reused for another key is refused
    // before any chunk is written under it.
    await metadata.load();
    // Topic settings and the groups' offsets as the run starts, while the consumers start
    // (a once run with nothing to back up ends at once: its end is its start).
    const captured = withKafkaRetry("archiving topic configs and group offsets", async () => {
      if (isEmptyOnceRun(plan)) return;
      await metadata.captureTopicConfigs();
      await metadata.captureGroups();
    });
    captured.catch(() => {}); // awaited below
    // A continuous backup's success is its latest restoration point.
    const schedule = job.runMode === "continuous"
      ? new MetadataSchedule(metadata, job, logger, () => metrics?.succeeded())
      : null;
    const retention = RetentionSchedule.of(archive.storage, job, plan.topics, logger);
    const w: Watch = {
      admin,
      storage: archive.storage,
      job,
      plan,
      consumers,
      schedule,
      retention: job.runMode === "continuous" ? retention : null,
      refresh: job.runMode === "continuous"
        ? new TopicRefresh(job, logger, () => withAdmin(connect, (a) => makePlan(a, job, true)))
        : null,
      onTopics: async (topics) => {
        const gone = w.plan.topics.some((topic) => !topics.includes(topic));
        if (gone) await main.renew();
        metadata.setTopics(topics);
        retention?.setTopics(topics);
      },
      logger,
      started,
      stopRequested: () => stopRequested,
      metrics,
    };
    await runConsumers(consumers, w);
    metrics?.update(totalsOf(consumers.total()));
    await captured;
    await schedule?.settle();
    // Every chunk is durable now: the run ends with a restoration point of this moment.
    await withKafkaRetry("writing the restoration point", async () => {
      await metadata.captureTopicConfigs();
      await metadata.writePoint();
    });
    if (job.runMode === "continuous") await retention?.settle();
    else await retention?.run();
    return summary(w.plan, consumers.total(), started);
  } finally {
    Deno.removeSignalListener("SIGTERM", onSignal);
    Deno.removeSignalListener("SIGINT", onSignal);
    consumers.pool.terminate();
    await admin.disconnect().catch(() => {});
    await archive?.storage.close().catch(() => {});
    archive?.stagingLock?.close();
  }
}

/**
 * Starts the consumers, watches them, and stops them. A once run with nothing to back up
 * (every partition empty) needs no consumer at all.
 */
async function runConsumers(consumers: Consumers, w: Watch): Promise<void> {
  if (isEmptyOnceRun(w.plan)) {
    consumers.pool.terminate();
    return;
  }
  for (;;) {
    await consumers.start(w.job, w.plan);
    const changed = await watch(w);
    // Every open chunk is stored before the group moves on to the new topics and partitions.
    await consumers.stop();
    if (!changed) return;
    consumers.renew();
    await w.onTopics(changed.topics);
    w.plan = changed;
  }
}

/** A once run whose partitions are all empty: nothing to back up. */
const isEmptyOnceRun = (plan: Plan): boolean =>
  plan.endOffsets !== null && Object.keys(plan.endOffsets).length === 0;

function summary(plan: Plan, total: WorkerCounters, started: number): BackupSummary {
  const seconds = (Date.now() - started) / 1000;
  return {
    topics: plan.topics,
    partitions: plan.partitions,
    records: total.storedRecords,
    bytesConsumed: total.bytes,
    bytesStored: total.storedBytes,
    chunks: total.chunks,
    durationSeconds: seconds,
    mbPerSecond: mb(total.bytes) / seconds,
  };
}
