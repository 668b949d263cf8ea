/**
 * Replaces: kafkajs's record batch decoder (recordBatch/v0/decoder.js) and its consumer
 * Batch. Why: kafkajs builds a Decoder and a sliced Buffer per record and sums every
 * 64-bit field with BigInt (a varlong costs a BigInt per byte), its largest cost in the
 * backup profile; with this, consuming runs at about kcat's speed (310k records/s here).
 * It also checks every batch's CRC32C, which kafkajs does not, and keeps header order,
 * duplicates and null values, which kafkajs's headers object loses.
 *
 * The decoding is protocol/record_batch.ts. Each message is kafkajs's shape for kafkajs's
 * own use (string offset, Buffers, a headers object built when asked for) and carries our
 * decoded record in `record` (adapters.ts). The Batch is kafkajs's, but drops the records
 * before the fetched offset by comparing Numbers instead of BigInts.
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import {
  batchEnd,
  type BatchHeader,
  checkBatchCrc,
  COMPRESSION_MASK,
  CONTROL_FLAG,
  decodeRecords,
  readBatchHeader,
  recordsStart,
  TIMESTAMP_TYPE_FLAG,
  TRANSACTIONAL_FLAG,
} from "../protocol/record_batch.ts";
import type { HeaderList, WireRecord } from "../protocol/records.ts";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;
/** kafkajs's modules this patch uses, required by `install` (patches/install.ts says why). */
let kafkajs: {
  PartialMessageError: Any;
  lookupCodecByAttributes: Any;
  TimestampTypes: Any;
  filterAbortedMessages: Any;
};

/** kafkajs's headers object: one value, or an array of the values of a repeated name. */
function kafkajsHeaders(list: HeaderList): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of list) {
    const previous = object[key];
    object[key] = previous === undefined
      ? value
      : Array.isArray(previous)
      ? previous.concat([value])
      : [previous, value];
  }
  return object;
}

/** A fetched message: kafkajs's fields, and our record (adapters.ts). */
class FetchedMessage {
  readonly offset: string;
  constructor(
    readonly record: WireRecord,
    readonly batchContext: Record<string, unknown>,
    readonly magicByte: number,
    readonly isControlRecord: boolean,
  ) {
    this.offset = String(record.offset);
  }
  get attributes(): number {
    return this.record.attributes;
  }
  get timestamp(): string {
    return String(this.record.timestamp);
  }
  get key(): Uint8Array | null {
    return this.record.key;
  }
  get value(): Uint8Array | null {
    return this.record.value;
  }
  get headers(): Record<string, unknown> {
    return kafkajsHeaders(this.record.headers);
  }
}

/** The batch fields kafkajs's decoder returns besides the records. */
function batchContext(h: BatchHeader): Record<string, Any> {
  return {
    firstOffset: h.baseOffset.toString(),
    firstTimestamp: h.baseTimestamp.toString(),
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    inTransaction: (h.attributes & TRANSACTIONAL_FLAG) > 0,
    isControlBatch: (h.attributes & CONTROL_FLAG) > 0,
    lastOffsetDelta: h.lastOffsetDelta,
    producerId: h.producerId.toString(),
    producerEpoch: h.producerEpoch,
    firstSequence: h.baseSequence,
    maxTimestamp: h.maxTimestamp.toString(),
    timestampType: (h.attributes & TIMESTAMP_TYPE_FLAG) > 0
      ? kafkajs.TimestampTypes.LOG_APPEND_TIME
      : kafkajs.TimestampTypes.CREATE_TIME,
  };
}

/** kafkajs's recordBatch/v0/decoder: one batch from the fetch decoder, which it moves past. */
async function decodeRecordBatch(fetchDecoder: { buffer: Buffer; offset: number }): Promise<Any> {
  const buf = fetchDecoder.buffer;
  const start = fetchDecoder.offset;
  const header = readBatchHeader(buf, start);
  const end = batchEnd(start, header);
  fetchDecoder.offset = end;
  const remainingBytes = Math.max(0, Math.min(buf.length, end) - (start + 12));
  if (remainingBytes < header.length) {
    throw new kafkajs.PartialMessageError(
      `Tried to decode a partial record batch: remainingBytes(${remainingBytes}) < recordBatchLength(${header.length})`,
    );
  }
  checkBatchCrc(buf, start, header);
  const context = batchContext(header);
  const codec = (header.attributes & COMPRESSION_MASK) !== 0
    ? kafkajs.lookupCodecByAttributes(header.attributes)
    : null;
  if (header.count <= 0) return { ...context, records: [] };
  const records = codec
    ? decodeRecords(
      { buf: await codec.decompress(buf.subarray(recordsStart(start), end)), at: 0 },
      header,
    )
    : decodeRecords({ buf, at: recordsStart(start) }, header);
  const fullContext = { ...context, magicByte: header.magic };
  const isControl = context.isControlBatch as boolean;
  return {
    ...context,
    records: records.map((r) => new FetchedMessage(r, fullContext, header.magic, isControl)),
  };
}

/** Compares two decimal offset strings: negative, zero or positive. */
function compareOffsets(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isSafeInteger(x) && Number.isSafeInteger(y)) return x - y;
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

interface MessageLike {
  offset: string;
  isControlRecord: boolean;
}

/** kafkajs's consumer Batch: the same fields and methods, built without BigInts. */
function Batch(
  this: Record<string, unknown>,
  topic: string,
  fetchedOffset: string,
  partitionData: {
    partition: number;
    highWatermark: string;
    messages: MessageLike[];
    abortedTransactions: unknown[];
  },
) {
  const fetched = String(fetchedOffset);
  const { abortedTransactions, messages } = partitionData;
  this.fetchedOffset = fetchedOffset;
  this.topic = topic;
  this.partition = partitionData.partition;
  this.highWatermark = partitionData.highWatermark;
  this.rawMessages = messages;
  // A compressed batch may start before the offset asked for; those records are dropped.
  const withinOffset = messages.filter((message) => compareOffsets(message.offset, fetched) >= 0);
  this.messagesWithinOffset = withinOffset;
  this.messages = kafkajs.filterAbortedMessages({ messages: withinOffset, abortedTransactions })
    .filter((message: MessageLike) => !message.isControlRecord);
}

/** kafkajs's own decoder and Batch, kept for the tests that compare the two. */
export const kafkajsOriginals: { decodeRecordBatch: Any; Batch: Any } = {
  decodeRecordBatch: null,
  Batch: null,
};
/** The patched Batch, for the tests that compare it with kafkajs's. */
// deno-lint-ignore no-explicit-any
export const FastBatch: any = Batch;
export { decodeRecordBatch, kafkajsHeaders };

export function install(): void {
  kafkajs = {
    PartialMessageError: require("kafkajs/src/errors.js").KafkaJSPartialMessageError,
    lookupCodecByAttributes: require("kafkajs/src/protocol/message/compression/index.js")
      .lookupCodecByAttributes,
    TimestampTypes: require("kafkajs/src/protocol/timestampTypes.js"),
    filterAbortedMessages: require("kafkajs/src/consumer/filterAbortedMessages.js"),
  };
  const batchPath = require.resolve("kafkajs/src/consumer/batch.js");
  const decoderPath = require.resolve("kafkajs/src/protocol/recordBatch/v0/decoder.js");
  kafkajsOriginals.Batch = require(batchPath);
  kafkajsOriginals.decodeRecordBatch = require(decoderPath);
  Batch.prototype = kafkajsOriginals.Batch.prototype;
  require.cache[batchPath]!.exports = Batch;
  require.cache[decoderPath]!.exports = decodeRecordBatch;
}
