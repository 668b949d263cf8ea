/**
 * Consumer groups in tests: setting a source group's offsets, reading committed offsets,
 * reading a topic as a real kafkajs consumer of a group (from its committed offsets), and
 * keeping a group active.
 */
import { Buffer } from "node:buffer";
import { consumedRecord, type Kafka } from "../../lib/kafka/kafkajs.ts";
import { testKafka } from "./kafka.ts";
import type { TestRecord } from "./records.ts";

/** Commits `offsets` (partition -> next offset to read) for `group` on `topic`. */
export async function setGroupOffsets(
  bootstrap: string,
  group: string,
  topic: string,
  offsets: Record<number, number>,
): Promise<void> {
  const admin = testKafka(bootstrap).admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: Object.entries(offsets).map(([p, o]) => ({
        partition: Number(p),
        offset: String(o),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** The group's committed offsets on `topic` (partition -> offset; uncommitted left out). */
export async function groupOffsets(
  bootstrap: string,
  group: string,
  topic: string,
): Promise<Record<number, number>> {
  const admin = testKafka(bootstrap).admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const out: Record<number, number> = {};
    for (const p of result.partitions) {
      if (Number(p.offset) >= 0) out[p.partition] = Number(p.offset);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * What a consumer of `group` reads from its committed offsets on: every record until the
 * topic has been quiet for `quietMs` after the consumer joined. Does not commit.
 */
export async function consumeAsGroup(
  bootstrap: string,
  group: string,
  topic: string,
  quietMs = 3000,
): Promise<TestRecord[]> {
  const consumer = testKafka(bootstrap).consumer({ groupId: group, readUncommitted: false });
  const records: TestRecord[] = [];
  let joined = false;
  let last = Date.now();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    last = Date.now();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        const { offset, key, value, headers } = consumedRecord(message);
        records.push({ partition, offset: Number(offset), key, value, headers });
        last = Date.now();
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 60_000;
    while (!(joined && Date.now() - last > quietMs) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!joined) throw new Error(`consumer of ${group} never joined`);
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset! - b.offset!);
}

/** Keeps a member of `group` (subscribed to `topic`) in the group until `stop` is called. */
export async function activeMember(
  bootstrap: string,
  group: string,
  topic: string,
): Promise<{ stop: () => Promise<void> }> {
  const kafka: Kafka = testKafka(bootstrap);
  const consumer = kafka.consumer({ groupId: group });
  let joined: () => void = () => {};
  const hasJoined = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ autoCommit: false, eachMessage: () => Promise.resolve() });
  await hasJoined;
  return { stop: () => consumer.disconnect() };
}

/** Key text of a test record. */
export const keyText = (r: { key: Uint8Array | null }): string =>
  r.key === null ? "<null>" : Buffer.from(r.key).toString();
