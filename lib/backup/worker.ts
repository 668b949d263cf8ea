/// <reference lib="deno.worker" />
/**
 * Worker entry: one backup consumer per Worker. Receives "start" and "stop" from the
 * main thread and reports counters, "stopped" or "fatal".
 */
import { createKafka } from "../kafka/client.ts";
import { createLogger, type Logger, setLogLevel } from "../log.ts";
import { openStorage } from "../storage/open.ts";
import { LocalBackend } from "../storage/local.ts";
import { postFailure } from "../util/worker_pool.ts";
import type { BackupJob } from "../config/backup_job.ts";
import { BackupConsumer } from "./consumer.ts";
import { type ChunkSink, DirectSink, StagedUploadSink } from "./chunk_sink.ts";
import type { FromWorker, ToWorker } from "./messages.ts";

let consumer: BackupConsumer | null = null;
let workerIndex = -1;

function send(message: FromWorker): void {
  self.postMessage(message);
}

function fail(error: unknown): void {
  postFailure(workerIndex, error);
}

async function openSink(job: BackupJob, logger: Logger): Promise<ChunkSink> {
  const storage = await openStorage(job.storage, logger, {
    maxRetryWaitSeconds: job.retryUploadSeconds,
    alreadyReached: true, // the main thread reached storage before starting Workers
  });
  if (job.storage.type === "local") return new DirectSink(storage, logger, fail);
  // Each Worker gets an equal share of the staging limit.
  const limit = Math.max(job.maxChunkBytes, Math.floor(job.stagingMaxBytes / job.threads));
  return new StagedUploadSink(
    new LocalBackend(job.storage.stagingDir),
    storage,
    limit,
    job.uploadConcurrency,
    logger,
    fail,
  );
}

/** Set once the consumer is told to stop: kafkajs's complaints about it are not news then. */
let stopping = false;

async function prepare(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  workerIndex = message.workerIndex;
  setLogLevel(message.job.logLevel);
  const logger = createLogger(`Kafka Consumer ${workerIndex}`);
  const kafka = createKafka(message.job.kafka, `kafka-backup-${workerIndex}`, logger, {
    quiet: () => stopping,
  });
  consumer = new BackupConsumer({
    kafka,
    job: message.job,
    topics: message.topics,
    endOffsets: message.endOffsets,
    timestampTypes: message.timestampTypes,
    sink: await openSink(message.job, logger),
    logger,
    onPartitionDone: () => send({ type: "counters", workerIndex, counters: consumer!.snapshot() }),
    member: { process: message.process, threads: message.job.threads, index: workerIndex },
  });
  await consumer.prepare(fail);
  send({ type: "ready", workerIndex });
}

async function run(topics: string[], logger = createLogger(`Kafka Consumer ${workerIndex}`)) {
  await consumer!.run();
  logger.info(`started polling on ${topics.join(",")}`);
  setInterval(() => send({ type: "counters", workerIndex, counters: consumer!.snapshot() }), 1000);
}

let topics: string[] = [];

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "start") {
    topics = message.topics;
    await prepare(message).catch(fail);
  } else if (message.type === "run") {
    await run(topics).catch(fail);
  } else if (message.type === "stop") {
    stopping = true;
    try {
      await consumer?.stop();
      send({
        type: "stopped",
        workerIndex,
        counters: consumer?.counters ??
          { records: 0, bytes: 0, chunks: 0, storedBytes: 0, storedRecords: 0 },
      });
    } catch (error) {
      fail(error);
    }
  }
};
