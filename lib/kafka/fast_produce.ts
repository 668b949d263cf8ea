/**
 * A faster Produce request (v3, which kafkajs also sends as v4-v7) for kafkajs, swapped
 * in through the CommonJS module cache before kafkajs first requires it. For a partition
 * whose messages are bytes with ordered headers (what restore sends) and no compression,
 * the whole record batch is written into one buffer of its exact size: kafkajs builds a
 * Buffer per record and copies every record three more times on its way into the
 * request (the restore profile showed that at a fifth of a producing Worker's time).
 * Anything else goes through kafkajs's own record and batch encoders, as before.
 *
 * The batch is Kafka's v2 record batch, byte for byte what kafkajs writes, except that
 * its first and max timestamps are the numeric minimum and maximum of the records'
 * timestamps (kafkajs sorts them as strings, which misorders "-1" and mixed lengths;
 * every record's own timestamp comes out the same either way).
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { ORDERED_HEADERS } from "./ordered_headers.ts";
import { crc32c } from "./fast_paths.ts";
import { encoderOf, FRAME_ROOM, FRAME_ROOM_BYTES, stringBytes, writeString } from "./wire.ts";
import {
  type RecordFields,
  sizeOfRecord,
  sizeOfRecordBody,
  writeRecordAt,
} from "./record_writer.ts";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;
const protocol = "kafkajs/src/protocol";
const Encoder: Any = require(`${protocol}/encoder.js`);
const { Produce: apiKey }: Any = require(`${protocol}/requests/apiKeys.js`);
const { Types }: Any = require(`${protocol}/message/compression/index.js`);
const Record: Any = require(`${protocol}/recordBatch/record/v0/index.js`);
const { RecordBatch }: Any = require(`${protocol}/recordBatch/v0/index.js`);
const Long: Any = require("kafkajs/src/utils/long.js");

const MAGIC_BYTE = 2;
const TRANSACTIONAL_FLAG = 0x10;
/** partition, size, then the batch up to its records: see writeBatchAt. */
const PARTITION_HEAD_BYTES = 4 + 4;
const BATCH_HEAD_BYTES = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** Where the CRC'd part of a batch starts (attributes), from the batch's first byte. */
const CRC_FROM = 8 + 4 + 4 + 1 + 4;

interface PartitionData {
  partition: number;
  messages: Array<Record<string, unknown>>;
  firstSequence?: number;
  transactionalId: string | null;
  producerId: unknown;
  producerEpoch: number;
}

/** The records of `messages` as fields of the fast path, or null when one is not fit for it. */
function fastFields(messages: PartitionData["messages"], now: number) {
  let first = Infinity;
  let max = -Infinity;
  const timestamps = new Array<number>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const raw = messages[i].timestamp;
    const t = raw == null ? now : Number(raw);
    if (!Number.isSafeInteger(t)) return null;
    timestamps[i] = t;
    if (raw != null) {
      if (t < first) first = t;
      if (t > max) max = t;
    }
  }
  if (first === Infinity) first = max = now;
  const fields = new Array<RecordFields>(messages.length);
  const bodies = new Array<number>(messages.length);
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const { key = null, value = null, headers } = messages[i] as Any;
    const ordered = headers == null ? [] : headers[ORDERED_HEADERS];
    if (!ordered) return null;
    const record = {
      offsetDelta: i,
      timestampDelta: timestamps[i] - first,
      key,
      value,
      headers: ordered,
    };
    const body = sizeOfRecordBody(i, record.timestampDelta, key, value, ordered);
    if (body < 0) return null;
    fields[i] = record;
    bodies[i] = body;
    bytes += sizeOfRecord(body);
  }
  return { fields, bodies, bytes, first, max };
}

type FastRecords = NonNullable<ReturnType<typeof fastFields>>;

/** Bytes of partition, size and record batch for `records`. */
const fastPartitionBytes = (records: FastRecords) =>
  PARTITION_HEAD_BYTES + BATCH_HEAD_BYTES + records.bytes;

/** Writes partition, size and the record batch of `data` at `start`; returns the offset after. */
function writeBatchAt(
  buf: Buffer,
  start: number,
  data: PartitionData,
  records: FastRecords,
): number {
  const batchBytes = BATCH_HEAD_BYTES + records.bytes;
  const end = start + PARTITION_HEAD_BYTES + batchBytes;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setInt32(start, data.partition);
  view.setInt32(start + 4, batchBytes);
  const batch = start + PARTITION_HEAD_BYTES;
  view.setBigInt64(batch, 0n); // first offset: the broker assigns it
  view.setInt32(batch + 8, batchBytes - 12); // length of what follows
  view.setInt32(batch + 12, 0); // partition leader epoch
  view.setInt8(batch + 16, MAGIC_BYTE);
  // batch + 17: the CRC, below
  let at = batch + CRC_FROM;
  view.setInt16(at, data.transactionalId ? TRANSACTIONAL_FLAG : 0);
  view.setInt32(at + 2, data.messages.length - 1); // last offset delta
  view.setBigInt64(at + 6, BigInt(records.first));
  view.setBigInt64(at + 14, BigInt(records.max));
  view.setBigInt64(at + 22, BigInt(Long.fromValue(data.producerId).toString()));
  view.setInt16(at + 30, data.producerEpoch);
  view.setInt32(at + 32, data.firstSequence ?? 0);
  view.setInt32(at + 36, data.messages.length);
  at += 40;
  for (let i = 0; i < records.fields.length; i++) {
    at = writeRecordAt(buf, at, records.bodies[i], records.fields[i]);
  }
  if (at !== end) throw new Error(`writeBatchAt: wrote ${at - start} of ${end - start} bytes`);
  view.setUint32(batch + 17, crc32c(buf.subarray(batch + CRC_FROM, end)));
  return end;
}

/** kafkajs's own encoding of one partition's records (any message, any compression). */
async function kafkajsPartition(compression: number, data: PartitionData): Promise<Any> {
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
  const recordBatch = await RecordBatch({
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

/** A partition of the request: records for the fast path, or kafkajs's finished bytes. */
type PlannedPartition =
  | { data: PartitionData; records: FastRecords; bytes: number }
  | { data: null; encoded: Uint8Array; bytes: number };

async function planPartition(compression: number, data: PartitionData): Promise<PlannedPartition> {
  if (compression === Types.None && data.messages.length > 0) {
    const records = fastFields(data.messages, Date.now());
    if (records !== null) return { data, records, bytes: fastPartitionBytes(records) };
  }
  const encoded: Uint8Array = (await kafkajsPartition(compression, data)).buffer;
  return { data: null, encoded, bytes: encoded.length };
}

/** kafkajs's produce/v3/request.js, with the fast partition encoding. */
function produceRequest({
  acks,
  timeout,
  transactionalId = null,
  producerId = Long.fromInt(-1),
  producerEpoch = 0,
  compression = Types.None,
  topicData,
}: Any) {
  return {
    apiKey,
    apiVersion: 3,
    apiName: "Produce",
    expectResponse: () => acks !== 0,
    encode: async () => {
      const topics: TopicBody[] = [];
      for (const { topic, partitions } of topicData) {
        const planned: PlannedPartition[] = [];
        for (const data of partitions) {
          planned.push(
            await planPartition(compression, {
              ...data,
              transactionalId,
              producerId,
              producerEpoch,
            }),
          );
        }
        topics.push({ topic, partitions: planned });
      }
      return writeBody(transactionalId, acks, timeout, topics);
    },
  };
}

interface TopicBody {
  topic: string;
  partitions: PlannedPartition[];
}

/**
 * The request body in one buffer of its exact size (plus the frame's room, which
 * fast_request.ts fills): fast
 * partitions' batches are written in place, kafkajs-encoded ones copied once. kafkajs's
 * nested encoders copied every batch three more times, growing a buffer each time.
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
    for (const partition of partitions) {
      if (partition.data) {
        at = writeBatchAt(buf, at, partition.data, partition.records);
      } else {
        buf.set(partition.encoded, at);
        at += partition.bytes;
      }
    }
  }
  if (at !== size) throw new Error(`writeBody: wrote ${at} of ${size} bytes`);
  const encoder = encoderOf(buf);
  encoder[FRAME_ROOM] = whole;
  return encoder;
}

const path = require.resolve(`${protocol}/requests/produce/v3/request.js`);
/** kafkajs's own request, kept for the tests that compare the two. */
export const kafkajsProduceRequest: Any = require(path);
require.cache[path]!.exports = produceRequest;
export { produceRequest };
