/// <reference lib="deno.worker" />
/**
 * Worker entry: restores the source partitions it is given, each with its own
 * transactional producer, concurrently. In follow mode it rescans storage for new chunks
 * every RETRY_SECONDS until told to stop.
 */
import { createKafka } from "../kafka/client.ts";
import { createLogger, type Logger, setLogLevel } from "../log.ts";
import { openStorage } from "../storage/open.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { postFailure } from "../util/worker_pool.ts";
import { isRetriableKafkaError } from "../kafka/errors.ts";
import { checkpointGroup, type CheckpointId } from "./checkpoint.ts";
import { explainTransactionalIdError } from "../kafka/authorization.ts";
import type { Kafka } from "../kafka/kafkajs.ts";
import type { RestoreJob } from "../config/restore_job.ts";
import type { FromRestoreWorker, ToRestoreWorker } from "./messages.ts";
import {
  connectRestoreProducer,
  PartitionRestorer,
  type PartitionTask,
  type RestoreCounters,
} from "./restore_partition.ts";
import { readContinuousIndex } from "./plan.ts";
import { ByteBudget } from "../util/byte_budget.ts";
import { LockClient } from "./offset_locks.ts";
import { RateLimiter } from "../util/rate_limiter.ts";

let workerIndex = -1;
let stopping = false;
let wakeSleepers: Array<() => void> = [];
const restorers: PartitionRestorer[] = [];

const send = (message: FromRestoreWorker) => self.postMessage(message);
const locks = new LockClient((message) =>
  message.type === "lock"
    ? send({ type: "lock", workerIndex, id: message.id, keys: message.keys! })
    : send({ type: "unlock", workerIndex, id: message.id })
);

function totals(): RestoreCounters {
  const total = { records: 0, bytes: 0, chunks: 0 };
  for (const r of restorers) {
    total.records += r.counters.records;
    total.bytes += r.counters.bytes;
    total.chunks += r.counters.chunks;
  }
  return total;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wakeSleepers.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** This Worker's share of MAX_BYTES_PER_SECOND and MAX_RECORDS_PER_SECOND, for all its partitions. */
let throttle: ((records: number, bytes: number) => Promise<void>) | undefined;

function throttleFor(job: RestoreJob, workers: number) {
  const { maxBytesPerSecond, maxRecordsPerSecond } = job.operations;
  if (!maxBytesPerSecond && !maxRecordsPerSecond) return undefined;
  const bytes = maxBytesPerSecond ? new RateLimiter(maxBytesPerSecond / workers) : null;
  const records = maxRecordsPerSecond ? new RateLimiter(maxRecordsPerSecond / workers) : null;
  return async (n: number, size: number) => {
    await bytes?.take(size);
    await records?.take(n);
  };
}

/** Attempts at one partition in a row that may fail on Kafka before the restore gives up. */
const KAFKA_ATTEMPTS = 6;

/**
 * Runs `restore` (one partition's restore) again when Kafka fails it with a retriable
 * error (a broker restarting under an open transaction, a coordinator moving): the
 * partition starts over as a restarted process would, with a new producer that aborts
 * the broken transaction, at the committed checkpoint, so nothing is lost or written
 * twice. A fenced producer (another copy of the job took over), errors of the archive or
 * the data (exit codes 5 to 7) and bugs are not retried.
 */
async function withRestarts(
  checkpoint: CheckpointId,
  logger: Logger,
  restore: () => Promise<void>,
): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      return await restore();
    } catch (error) {
      if (!isRetriableKafkaError(error) || attempt >= KAFKA_ATTEMPTS || stopping) {
        throw explainTransactionalIdError(error, checkpointGroup(checkpoint));
      }
      const delayMs = Math.min(1000 * 2 ** (attempt - 1), 15_000);
      logger.warn(
        `${checkpoint.sourceTopic}/${checkpoint.partition}: Kafka failed the restore ` +
          `(${(error as Error).message}); continuing from its checkpoint in ${delayMs / 1000} s ` +
          `(attempt ${attempt + 1} of ${KAFKA_ATTEMPTS})`,
      );
      await sleep(delayMs);
    }
  }
}

async function restorePartition(
  kafka: Kafka,
  backend: StorageBackend,
  job: RestoreJob,
  task: PartitionTask,
  budget: ByteBudget,
  logger: Logger,
): Promise<void> {
  const producer = await connectRestoreProducer(kafka, task.checkpoint);
  try {
    const restorer = new PartitionRestorer(kafka, producer, backend, task, {
      strategy: job.strategy,
      transactions: {
        maxRecords: job.recordsPerTransaction,
        maxBytes: job.bytesPerTransaction,
      },
      offsetMapTopic: job.offsetMapTopic,
      budget,
      locks,
      throttle,
      keys: job.decryptionKeys,
      latestPerKey: job.latestPerKey,
      filter: {
        startOffset: job.startOffset,
        endOffset: job.endOffset,
        startTimestamp: job.startTimestamp,
        endTimestamp: job.endTimestamp,
      },
    }, logger);
    restorers.push(restorer);
    const { sourceTopic, partition } = task.checkpoint;
    try {
      for (;;) {
        const entries = await readContinuousIndex(backend, sourceTopic, partition);
        await restorer.restore(entries, () => stopping);
        if (job.runMode === "once" || stopping) break;
        logger.debug(`waiting for more files in ${backend.location}/${sourceTopic}/${partition}`);
        await sleep(job.retrySeconds * 1000);
        if (stopping) break;
      }
      if (job.runMode === "once" && !stopping) await restorer.finishGroups();
    } finally {
      await restorer.close();
    }
    logger.info(`restore of ${sourceTopic}/${partition} into ${task.checkpoint.targetTopic} done`);
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

self.onmessage = async (event: MessageEvent<ToRestoreWorker>) => {
  const message = event.data;
  if (message.type === "locked") return locks.granted(message.id);
  if (message.type === "stop") {
    stopping = true;
    for (const wake of wakeSleepers) wake();
    wakeSleepers = [];
    return;
  }
  workerIndex = message.workerIndex;
  setLogLevel(message.job.logLevel);
  const logger = createLogger(`Kafka Producer ${workerIndex}`);
  const timer = setInterval(
    () => send({ type: "counters", workerIndex, counters: totals() }),
    1000,
  );
  try {
    const backend = await openStorage(message.job.storage, logger, {
      maxRetryWaitSeconds: message.job.retryDownloadSeconds,
      alreadyReached: true, // the main thread reached storage before starting Workers
    });
    const kafka = createKafka(message.job.kafka, `kafka-backup-restore-${workerIndex}`, logger);
    const budget = new ByteBudget(message.job.bufferMaxBytes);
    throttle = throttleFor(message.job, message.workers);
    await Promise.all(
      message.tasks.map((task) =>
        withRestarts(
          task.checkpoint,
          logger,
          () => restorePartition(kafka, backend, message.job, task, budget, logger),
        )
      ),
    );
    send({ type: "done", workerIndex, counters: totals() });
  } catch (error) {
    postFailure(workerIndex, error);
  } finally {
    clearInterval(timer);
  }
};
