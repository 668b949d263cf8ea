/** The few admin calls the benchmark needs: create a topic, count its records. */
import { Kafka, logLevel } from "../lib/kafka/kafkajs.ts";

function admin(bootstrap: string) {
  return new Kafka({
    clientId: "kafka-backup-bench",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  })
    .admin();
}

/** Creates a topic with `partitions` partitions and waits for its leaders. */
export async function createTopic(
  bootstrap: string,
  topic: string,
  partitions: number,
): Promise<void> {
  const client = admin(bootstrap);
  await client.connect();
  try {
    await client.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
  } finally {
    await client.disconnect();
  }
}

/** Sum of (high - low) over the topic's partitions: its record count for a plain topic. */
export async function topicRecords(bootstrap: string, topic: string): Promise<number> {
  const client = admin(bootstrap);
  await client.connect();
  try {
    const offsets = await client.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await client.disconnect();
  }
}
