/**
 * The backup's main thread: chooses the topics, captures end offsets (once mode), runs
 * NUMBER_OF_KAFKA_THREADS consumer Workers, reports progress, and stops them cleanly on
 * SIGTERM/SIGINT or, in once mode, when every partition is stored up to its end.
 */
import type { Admin } from "../kafka/kafkajs.ts";
import { connectAdmin } from "../kafka/client.ts";
import {
  isRetriableKafkaError,
  partitionOffsets,
  selectTopics,
  timestampTypeOf,
  withKafkaRetry,
} from "../kafka/topics.ts";
import type { BackupJob } from "../config/backup_job.ts";
import { BackupToolError, ConfigError, ExitCode } from "../errors.ts";
import type { Logger } from "../log.ts";
import { openStorage } from "../storage/open.ts";
import { LocalBackend } from "../storage/local.ts";
import { uploadLeftovers } from "./staged_upload.ts";
import { BackupMetadata, MetadataSchedule } from "./metadata.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { lockStagingDir } from "./staging_lock.ts";
import { type FromWorker, type ToWorker, tpKey, type WorkerCounters } from "./messages.ts";
import { type BackupSummary, mb, progressLine, sumCounters } from "./progress.ts";
import { LiveStatus, statusText } from "../util/live_status.ts";

/** How long stopping may take: open chunks are stored and the consumers leave the group. */
export const STOP_TIMEOUT_MS = 30_000;

interface Plan {
  topics: string[];
  partitions: number;
  timestampTypes: Record<string, "CreateTime" | "LogAppendTime">;
  /** Once mode: partitions still to back up, with their end offsets. */
  endOffsets: Record<string, number> | null;
}

async function makePlan(admin: Admin, job: BackupJob): Promise<Plan> {
  const topics = await selectTopics(admin, {
    names: job.topicNames,
    include: job.topicIncludeRegex,
    exclude: job.topicExcludeRegex,
  });
  if (topics.length === 0) {
    throw new ConfigError("No topic to back up: TOPIC_NAMES / TOPIC_INCLUDE_REGEX match no topic");
  }
  const timestampTypes: Plan["timestampTypes"] = {};
  const endOffsets: Record<string, number> = {};
  let partitions = 0;
  for (const topic of topics) {
    timestampTypes[topic] = await timestampTypeOf(admin, topic);
    for (const p of await partitionOffsets(admin, topic)) {
      partitions++;
      if (p.high > p.low) endOffsets[tpKey(topic, p.partition)] = p.high;
    }
  }
  return {
    topics,
    partitions,
    timestampTypes,
    endOffsets: job.runMode === "once" ? endOffsets : null,
  };
}

/** Partitions whose committed group offset has not reached the captured end. Sums their lag. */
async function remaining(
  admin: Admin,
  job: BackupJob,
  plan: Plan,
): Promise<{ left: number; lag: number }> {
  const committed = new Map<string, number>();
  for (const topic of plan.topics) {
    const [result] = await admin.fetchOffsets({ groupId: job.groupId, topics: [topic] });
    for (const p of result.partitions) committed.set(tpKey(topic, p.partition), Number(p.offset));
  }
  let left = 0;
  let lag = 0;
  for (const [key, end] of Object.entries(plan.endOffsets ?? {})) {
    const at = committed.get(key) ?? -1;
    if (at < end) {
      left++;
      lag += at < 0 ? end : end - at;
    }
  }
  return { left, lag };
}

/** Runs the backup until stopped (continuous) or done (once). */
export async function runBackup(job: BackupJob, logger: Logger): Promise<BackupSummary> {
  const started = Date.now();
  const counters = new Map<number, WorkerCounters>();
  const stopped = new Set<number>();
  let failure: BackupToolError | null = null;
  let stopRequested = false;
  let wake: () => void = () => {};
  const woken = () => new Promise<void>((resolve) => (wake = resolve));
  // The Workers load their modules (the Kafka client: about a second of CPU) while this
  // thread plans; they start consuming only when the plan is sent to them.
  const workers: Worker[] = [];
  for (let i = 0; i < job.threads; i++) {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "counters" || message.type === "stopped") {
        counters.set(message.workerIndex, message.counters);
      }
      if (message.type === "stopped") stopped.add(message.workerIndex);
      if (message.type === "fatal" && !failure) {
        failure = new BackupToolError(
          `Consumer ${message.workerIndex}: ${message.message}`,
          message.exitCode as 1,
        );
      }
      wake();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      failure ??= new BackupToolError(`Consumer ${i} crashed: ${event.message}`, ExitCode.internal);
      wake();
    };
    workers.push(worker);
  }
  const admin = await connectAdmin(job.kafka, "kafka-backup-main", logger).catch((error) => {
    for (const worker of workers) worker.terminate();
    throw error;
  });
  let stagingLock: Deno.FsFile | null = null;
  let storage: StorageBackend | null = null;
  try {
    const plan = await withKafkaRetry("planning the backup", () => makePlan(admin, job));
    // Fails early and clearly when the storage is missing or refuses us; then uploads what
    // an interrupted run left in the staging directory, before any consumer starts.
    storage = await openStorage(job.storage, logger, {
      retrySeconds: job.retryUploadSeconds,
    });
    await storage.stat("kafka-backup.check");
    if (job.storage.type !== "local") {
      stagingLock = await lockStagingDir(job.storage.stagingDir);
      await uploadLeftovers(new LocalBackend(job.storage.stagingDir), storage, logger);
    }
    const metadata = new BackupMetadata(storage, admin, job, plan.topics, logger);
    const schedule = job.runMode === "continuous"
      ? new MetadataSchedule(metadata, job, logger)
      : null;
    logger.info(
      `backing up ${
        plan.topics.join(",")
      } (${plan.partitions} partitions) with ${job.threads} consumer(s) ` +
        `in group ${job.groupId}, mode ${job.runMode}`,
    );
    workers.forEach((worker, i) => {
      const start: ToWorker = {
        type: "start",
        job,
        workerIndex: i,
        topics: plan.topics,
        endOffsets: plan.endOffsets,
        timestampTypes: plan.timestampTypes,
      };
      worker.postMessage(start);
    });
    // Topic settings and the groups' offsets as the run starts, while the Workers start.
    const captured = withKafkaRetry("archiving topic configs and group offsets", async () => {
      await metadata.load();
      await metadata.captureTopicConfigs();
      await metadata.captureGroups();
    });
    captured.catch(() => {}); // awaited below

    const onSignal = () => {
      logger.info("stop requested: storing open chunks");
      stopRequested = true;
      wake();
    };
    Deno.addSignalListener("SIGTERM", onSignal);
    Deno.addSignalListener("SIGINT", onSignal);
    try {
      let lastProgress = Date.now();
      let previous = sumCounters(counters.values());
      let lag: number | null = null;
      const live = new LiveStatus();
      while (!stopRequested && !failure) {
        const tick = new Promise<void>((resolve) => setTimeout(resolve, 1000));
        await Promise.race([tick, woken()]);
        schedule?.tick();
        if (plan.endOffsets) {
          // A broker restarting is no reason to stop: the next tick asks again.
          const state = await remaining(admin, job, plan).catch((error) => {
            if (!isRetriableKafkaError(error)) throw error;
            logger.warn(`cannot read the group's progress yet: ${error.message}`);
            return null;
          });
          lag = state?.lag ?? lag;
          if (state?.left === 0) break;
          const current = sumCounters(counters.values());
          const seconds = (Date.now() - started) / 1000;
          live.show(
            statusText(
              current.records,
              mb(current.bytes) / seconds,
              lag,
              current.records / seconds,
            ),
          );
        }
        if (Date.now() - lastProgress >= job.progressIntervalSeconds * 1000) {
          const current = sumCounters(counters.values());
          live.clear();
          logger.info(progressLine(previous, current, (Date.now() - lastProgress) / 1000, lag));
          previous = current;
          lastProgress = Date.now();
        }
      }
      live.clear();
      for (const worker of workers) worker.postMessage({ type: "stop" } satisfies ToWorker);
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (stopped.size < workers.length && Date.now() < deadline && !failure) {
        await Promise.race([new Promise((r) => setTimeout(r, 200)), woken()]);
      }
      if (failure) throw failure;
      if (stopped.size < workers.length) {
        throw new BackupToolError(
          `Consumers did not stop within ${STOP_TIMEOUT_MS / 1000} s`,
          ExitCode.internal,
        );
      }
      await captured;
      await schedule?.settle();
      // Every chunk is durable now: the run ends with a restoration point of this moment.
      await withKafkaRetry("writing the restoration point", async () => {
        await metadata.captureTopicConfigs();
        await metadata.writePoint();
      });
    } finally {
      Deno.removeSignalListener("SIGTERM", onSignal);
      Deno.removeSignalListener("SIGINT", onSignal);
    }

    const total = sumCounters(counters.values());
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
  } finally {
    for (const worker of workers) worker.terminate();
    await admin.disconnect().catch(() => {});
    await storage?.close().catch(() => {});
    stagingLock?.close();
  }
}
