/**
 * Replaces: kafkajs's Produce request (v3, which kafkajs also sends as v4-v7). Why: for
 * a partition whose messages carry our records (adapters.ts) and no compression (what a
 * restore sends), the whole record batch is written in place (protocol/batch_encoding.ts)
 * into one body buffer with room in front for the request frame (frame_room.ts); kafkajs
 * builds a Buffer per record and copies every record three more times on its way into the
 * request (a fifth of a producing Worker's time in the restore profile). Anything else
 * goes through kafkajs's own record and batch encoders, as before.
 *
 * The batch is byte for byte what kafkajs writes, except that its first and max
 * timestamps are the numeric minimum and maximum of the records' timestamps (kafkajs
 * sorts them as strings, which misorders "-1" and mixed lengths).
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { producedRecord } from "../adapters.ts";
import {
  batchBytes,
  type BatchRecord,
  planBatch,
  type PlannedBatch,
  writeBatchAt,
} from "../protocol/batch_encoding.ts";
import { FRAME_ROOM_BYTES, leaveRoom } from "./frame_room.ts";
import { Encoder, encoderOf, stringBytes, writeString } from "./kafkajs_encoder.ts";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;
const protocol = "kafkajs/src/protocol";
/** kafkajs's modules this patch uses, required by `install` (patches/install.ts says why). */
let kafkajs: { apiKey: number; Types: Any; RecordBatch: Any; Long: Any; recordPath: string };

/** Partition and record set size, in front of each partition's batch. */
const PARTITION_HEAD_BYTES = 4 + 4;

interface PartitionData {
  partition: number;
  messages: Array<Record<string, unknown>>;
  firstSequence?: number;
  transactionalId: string | null;
  producerId: unknown;
  producerEpoch: number;
}

/** The records of `messages` for the fast path, or null when one is not fit for it. */
function batchOf(messages: PartitionData["messages"]): PlannedBatch | null {
  const records = new Array<BatchRecord>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const record = producedRecord(messages[i]);
    if (!record) return null;
    const raw = messages[i].timestamp;
    records[i] = { ...record, timestamp: raw == null ? null : Number(raw) };
  }
  return planBatch(records, Date.now());
}

/** kafkajs's own encoding of one partition's records (any message, any compression). */
async function kafkajsPartition(compression: number, data: PartitionData): Promise<Any> {
  const Record: Any = require(kafkajs.recordPath);
  const now = Date.now();
  const timestamps = data.messages.map((m) => m.timestamp).filter((t) => t != null).sort();
  const all = timestamps.length === 0 ? [now] : timestamps;
  const firstTimestamp = all[0] as number;
  const records = data.messages.map((message, i) =>
    Record({
      ...message,
      offsetDelta: i,
      timestampDelta: ((message.timestamp as number) || now) - firstTimestamp,
    })
  );
  const recordBatch = await kafkajs.RecordBatch({
    compression,
    records,
    firstTimestamp,
    maxTimestamp: all[all.length - 1],
    producerId: data.producerId,
    producerEpoch: data.producerEpoch,
    firstSequence: data.firstSequence,
    transactional: !!data.transactionalId,
    lastOffsetDelta: records.length - 1,
  });
  return new Encoder()
    .writeInt32(data.partition)
    .writeInt32(recordBatch.size())
    .writeEncoder(recordBatch);
}

/** A partition of the request: a batch for the fast path, or kafkajs's finished bytes. */
type PlannedPartition =
  | { data: PartitionData; batch: PlannedBatch; bytes: number }
  | { data: null; encoded: Uint8Array; bytes: number };

async function planPartition(compression: number, data: PartitionData): Promise<PlannedPartition> {
  if (compression === kafkajs.Types.None && data.messages.length > 0) {
    const batch = batchOf(data.messages);
    if (batch !== null) return { data, batch, bytes: PARTITION_HEAD_BYTES + batchBytes(batch) };
  }
  const encoded: Uint8Array = (await kafkajsPartition(compression, data)).buffer;
  return { data: null, encoded, bytes: encoded.length };
}

function writePartitionAt(buf: Buffer, at: number, planned: PlannedPartition): number {
  if (!planned.data) {
    buf.set(planned.encoded, at);
    return at + planned.bytes;
  }
  const { data, batch } = planned;
  at = buf.writeInt32BE(data.partition, at);
  at = buf.writeInt32BE(batchBytes(batch), at);
  return writeBatchAt(buf, at, batch, {
    transactional: !!data.transactionalId,
    producerId: BigInt(kafkajs.Long.fromValue(data.producerId).toString()),
    producerEpoch: data.producerEpoch,
    baseSequence: data.firstSequence ?? 0,
  });
}

interface TopicBody {
  topic: string;
  partitions: PlannedPartition[];
}

/**
 * The request body in one buffer of its exact size, with the frame's room in front:
 * fast partitions' batches are written in place, kafkajs-encoded ones copied once.
 */
function writeBody(
  transactionalId: string | null,
  acks: number,
  timeout: number,
  topics: TopicBody[],
): Any {
  let size = stringBytes(transactionalId) + 2 + 4 + 4;
  for (const { topic, partitions } of topics) {
    size += stringBytes(topic) + 4;
    for (const partition of partitions) size += partition.bytes;
  }
  const whole = Buffer.allocUnsafe(FRAME_ROOM_BYTES + size);
  const buf = whole.subarray(FRAME_ROOM_BYTES);
  let at = writeString(buf, 0, transactionalId);
  at = buf.writeInt16BE(acks, at);
  at = buf.writeInt32BE(timeout, at);
  at = buf.writeInt32BE(topics.length, at);
  for (const { topic, partitions } of topics) {
    at = writeString(buf, at, topic);
    at = buf.writeInt32BE(partitions.length, at);
    for (const partition of partitions) at = writePartitionAt(buf, at, partition);
  }
  if (at !== size) throw new Error(`writeBody: wrote ${at} of ${size} bytes`);
  const encoder = encoderOf(buf);
  leaveRoom(encoder, whole);
  return encoder;
}

/** kafkajs's produce/v3/request.js, with the fast partition encoding. */
export function produceRequest({
  acks,
  timeout,
  transactionalId = null,
  producerId = kafkajs.Long.fromInt(-1),
  producerEpoch = 0,
  compression = kafkajs.Types.None,
  topicData,
}: Any) {
  return {
    apiKey: kafkajs.apiKey,
    apiVersion: 3,
    apiName: "Produce",
    expectResponse: () => acks !== 0,
    encode: async () => {
      const topics: TopicBody[] = [];
      for (const { topic, partitions } of topicData) {
        const planned: PlannedPartition[] = [];
        for (const data of partitions) {
          const partition = { ...data, transactionalId, producerId, producerEpoch };
          planned.push(await planPartition(compression, partition));
        }
        topics.push({ topic, partitions: planned });
      }
      return writeBody(transactionalId, acks, timeout, topics);
    },
  };
}

/** kafkajs's own request, kept for the tests that compare the two. */
export const kafkajsOriginals: { produceRequest: Any } = { produceRequest: null };

export function install(): void {
  // After encoder.ts: RecordBatch captures the CRC32C module when it loads.
  kafkajs = {
    apiKey: require(`${protocol}/requests/apiKeys.js`).Produce,
    Types: require(`${protocol}/message/compression/index.js`).Types,
    RecordBatch: require(`${protocol}/recordBatch/v0/index.js`).RecordBatch,
    Long: require("kafkajs/src/utils/long.js"),
    recordPath: require.resolve(`${protocol}/recordBatch/record/v0/index.js`),
  };
  const path = require.resolve(`${protocol}/requests/produce/v3/request.js`);
  kafkajsOriginals.produceRequest = require(path);
  require.cache[path]!.exports = produceRequest;
}
