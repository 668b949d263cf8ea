/**
 * The coordinator lookup cache (lib/kafka/patches/coordinator_cache.ts) against a real
 * broker: transactions that also commit offsets ask for their coordinators once, not
 * before every request.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createKafka } from "../../lib/kafka/client.ts";
import { createLogger } from "../../lib/log.ts";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic } from "../helpers/kafka.ts";
import { Buffer } from "node:buffer";

// deno-lint-ignore no-explicit-any
const Broker: any = createRequire(import.meta.url)("kafkajs/src/broker/index.js");

Deno.test("ten transactions with offsets look their coordinators up once each", async () => {
  const topic = randomName("coord");
  await createTopic(kafkaBootstrap(), topic);
  const kafka = createKafka(
    { brokers: [kafkaBootstrap()] },
    "coordinator-test",
    createLogger("test"),
  );
  const producer = kafka.producer({
    transactionalId: randomName("txn"),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const lookup = Broker.prototype.findGroupCoordinator;
  let lookups = 0;
  Broker.prototype.findGroupCoordinator = function (...args: unknown[]) {
    lookups++;
    return lookup.apply(this, args);
  };
  try {
    for (let i = 0; i < 10; i++) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: [{ value: Buffer.from(`v${i}`) }] });
      await transaction.sendOffsets({
        consumerGroupId: `${topic}-group`,
        topics: [{ topic, partitions: [{ partition: 0, offset: String(i + 1) }] }],
      });
      await transaction.commit();
    }
  } finally {
    Broker.prototype.findGroupCoordinator = lookup;
    await producer.disconnect();
  }
  // Without the cache: four lookups per transaction (add partitions, add offsets, the
  // group's coordinator, end), 40 in all.
  assert.ok(lookups <= 2, `${lookups} coordinator lookups`);
});
