/// <reference lib="deno.worker" />
/**
 * Worker entry: one backup consumer per Worker. Receives "start" and "stop" from the
 * main thread and reports counters, "stopped" or "fatal".
 */
import { createKafka } from "../kafka/client.ts";
import { createLogger, setLogLevel } from "../log.ts";
import { openStorage } from "../storage/open.ts";
import { exitCodeOf } from "../errors.ts";
import { BackupConsumer } from "./consumer.ts";
import type { FromWorker, ToWorker } from "./messages.ts";

let consumer: BackupConsumer | null = null;
let workerIndex = -1;

function send(message: FromWorker): void {
  self.postMessage(message);
}

function fail(error: unknown): void {
  send({
    type: "fatal",
    workerIndex,
    message: error instanceof Error ? error.message : String(error),
    exitCode: exitCodeOf(error),
  });
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "start") {
    workerIndex = message.workerIndex;
    setLogLevel(message.job.logLevel);
    const logger = createLogger(`Kafka Consumer ${workerIndex}`);
    try {
      const backend = openStorage(message.job.storage, logger, {
        retrySeconds: message.job.retryUploadSeconds,
      });
      consumer = new BackupConsumer({
        kafka: createKafka(message.job.kafka, `kafka-backup-${workerIndex}`, logger),
        job: message.job,
        topics: message.topics,
        endOffsets: message.endOffsets,
        timestampTypes: message.timestampTypes,
        backend,
        logger,
      });
      await consumer.start(fail);
      logger.info(`started polling on ${message.topics.join(",")}`);
      setInterval(
        () => send({ type: "counters", workerIndex, counters: consumer!.counters }),
        1000,
      );
    } catch (error) {
      fail(error);
    }
  } else if (message.type === "stop") {
    try {
      await consumer?.stop();
      send({ type: "stopped", workerIndex, counters: consumer?.counters ?? emptyCounters() });
    } catch (error) {
      fail(error);
    }
  }
};

function emptyCounters() {
  return { records: 0, bytes: 0, chunks: 0, storedBytes: 0, storedRecords: 0 };
}
