/**
 * Encoding a v2 record batch (see record_batch.ts for the layout) in place: the records
 * are measured first, then the whole batch is written into the caller's buffer at once,
 * its CRC32C last. What a restore produces: uncompressed, records of bytes.
 */
import { crc32c } from "./crc32c.ts";
import { HEADER_AFTER_LENGTH, TRANSACTIONAL_FLAG } from "./record_batch.ts";
import {
  type RecordFields,
  sizeOfRecord,
  sizeOfRecordBody,
  writeRecordAt,
} from "./record_encoding.ts";

const MAGIC = 2;
/** BaseOffset and Length, then the header up to the records, then the record count. */
const BATCH_HEAD_BYTES = 12 + HEADER_AFTER_LENGTH + 4;
/** Where the CRC'd part of a batch starts (Attributes), from the batch's first byte. */
const CRC_FROM = 12 + 9;

/** A record to put in a batch: its timestamp is absolute (the batch computes the deltas). */
export interface BatchRecord {
  timestamp: number | null;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: ReadonlyArray<readonly [string, Uint8Array | null]>;
}

/** A batch measured and ready to be written. */
export interface PlannedBatch {
  fields: RecordFields[];
  bodies: number[];
  /** Bytes of the records. */
  recordBytes: number;
  firstTimestamp: number;
  maxTimestamp: number;
}

/**
 * Measures `records` for one batch, or returns null when one of them is outside what this
 * encoder takes (`now` stands in for a missing timestamp). The first and max timestamps
 * are the numeric minimum and maximum of the records' timestamps.
 */
export function planBatch(records: readonly BatchRecord[], now: number): PlannedBatch | null {
  let first = Infinity;
  let max = -Infinity;
  for (const { timestamp } of records) {
    if (timestamp === null) continue;
    if (!Number.isSafeInteger(timestamp)) return null;
    if (timestamp < first) first = timestamp;
    if (timestamp > max) max = timestamp;
  }
  if (first === Infinity) first = max = now;
  const fields = new Array<RecordFields>(records.length);
  const bodies = new Array<number>(records.length);
  let recordBytes = 0;
  for (let i = 0; i < records.length; i++) {
    const { timestamp, key, value, headers } = records[i];
    const timestampDelta = (timestamp ?? now) - first;
    const body = sizeOfRecordBody(i, timestampDelta, key, value, headers);
    if (body < 0) return null;
    fields[i] = { offsetDelta: i, timestampDelta, key, value, headers };
    bodies[i] = body;
    recordBytes += sizeOfRecord(body);
  }
  return { fields, bodies, recordBytes, firstTimestamp: first, maxTimestamp: max };
}

/** Bytes of the whole batch. */
export const batchBytes = (batch: PlannedBatch): number => BATCH_HEAD_BYTES + batch.recordBytes;

/** Who writes the batch: the idempotent producer's id, epoch and sequence. */
export interface BatchProducer {
  transactional: boolean;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/** Writes the batch at `start`; returns the offset after it. */
export function writeBatchAt(
  buf: Uint8Array,
  start: number,
  batch: PlannedBatch,
  producer: BatchProducer,
): number {
  const size = batchBytes(batch);
  const end = start + size;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setBigInt64(start, 0n); // base offset: the broker assigns it
  view.setInt32(start + 8, size - 12); // length of what follows
  view.setInt32(start + 12, 0); // partition leader epoch
  view.setInt8(start + 16, MAGIC);
  // start + 17: the CRC, below
  let at = start + CRC_FROM;
  view.setInt16(at, producer.transactional ? TRANSACTIONAL_FLAG : 0);
  view.setInt32(at + 2, batch.fields.length - 1); // last offset delta
  view.setBigInt64(at + 6, BigInt(batch.firstTimestamp));
  view.setBigInt64(at + 14, BigInt(batch.maxTimestamp));
  view.setBigInt64(at + 22, producer.producerId);
  view.setInt16(at + 30, producer.producerEpoch);
  view.setInt32(at + 32, producer.baseSequence);
  view.setInt32(at + 36, batch.fields.length);
  at += 40;
  for (let i = 0; i < batch.fields.length; i++) {
    at = writeRecordAt(buf, at, batch.bodies[i], batch.fields[i]);
  }
  if (at !== end) throw new Error(`writeBatchAt: wrote ${at - start} of ${size} bytes`);
  view.setUint32(start + 17, crc32c(buf.subarray(start + CRC_FROM, end)));
  return end;
}
