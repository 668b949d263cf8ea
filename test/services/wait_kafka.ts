/**
 * Waits until each broker given on the command line answers admin calls, and warms up
 * its group and transaction coordinators so the first test does not pay for them.
 * Usage: deno run --allow-net --allow-env --allow-read wait_kafka.ts host:port [host:port ...]
 */
import { Kafka, logLevel } from "kafkajs";

const deadline = Date.now() + 90_000;

async function waitFor(bootstrap: string): Promise<void> {
  const kafka = new Kafka({
    clientId: "kafka-backup-test-wait",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.fetchOffsets({ groupId: "kafka-backup-test-warmup", topics: [] });
      await admin.disconnect();
      break;
    } catch (error) {
      await admin.disconnect().catch(() => {});
      if (Date.now() > deadline) throw new Error(`Kafka at ${bootstrap} not ready: ${error}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // InitProducerId of a transactional producer creates the transaction state topic.
  for (;;) {
    const producer = kafka.producer({
      transactionalId: "kafka-backup-test-warmup",
      maxInFlightRequests: 1,
      idempotent: true,
      retry: { retries: 5 },
    });
    try {
      await producer.connect();
      const transaction = await producer.transaction();
      await transaction.abort();
      await producer.disconnect();
      return;
    } catch (error) {
      await producer.disconnect().catch(() => {});
      if (Date.now() > deadline) {
        throw new Error(`Kafka at ${bootstrap} has no transaction coordinator: ${error}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

await Promise.all(Deno.args.map(waitFor));
