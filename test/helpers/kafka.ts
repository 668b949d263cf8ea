/** Test helpers that talk to a real broker: topics, producing, reading back whole topics. */
import { Kafka, logLevel, producedMessage } from "../../lib/kafka/kafkajs.ts";
import type { ITopicConfig } from "../../lib/kafka/kafkajs.ts";
import type { TestRecord } from "./records.ts";

export function testKafka(bootstrap: string): Kafka {
  return new Kafka({
    clientId: "kafka-backup-tests",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });
}

/** Creates a topic and waits for its leaders. `config` holds topic configs such as cleanup.policy. */
export async function createTopic(
  bootstrap: string,
  topic: string,
  options: { partitions?: number; config?: Record<string, string> } = {},
): Promise<void> {
  const admin = testKafka(bootstrap).admin();
  await admin.connect();
  try {
    const spec: ITopicConfig = {
      topic,
      numPartitions: options.partitions ?? 1,
      configEntries: Object.entries(options.config ?? {}).map(([name, value]) => ({ name, value })),
    };
    await admin.createTopics({ topics: [spec], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Produces records through kafkajs, headers in order (through the library's patched produce). */
export async function produceWithKafkajs(
  bootstrap: string,
  topic: string,
  records: TestRecord[],
): Promise<void> {
  const producer = testKafka(bootstrap).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const batchSize = 500;
    for (let i = 0; i < records.length; i += batchSize) {
      await producer.sendBatch({
        topicMessages: [{
          topic,
          // Timestamps left out are the producer's now, as kafkajs sends them.
          messages: records.slice(i, i + batchSize).map((r) =>
            producedMessage({ ...r, timestamp: r.timestamp ?? Date.now() }, r.partition)
          ),
        }],
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** End offsets (high watermarks) of every partition of a topic, by partition number. */
export async function endOffsets(bootstrap: string, topic: string): Promise<number[]> {
  const admin = testKafka(bootstrap).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const result: number[] = [];
    for (const o of offsets) result[o.partition] = Number(o.high);
    return result;
  } finally {
    await admin.disconnect();
  }
}
