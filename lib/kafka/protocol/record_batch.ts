/**
 * Decoding Kafka's v2 record batch (magic 2), as a broker serves it in a fetch:
 *
 *   BaseOffset:int64 Length:int32 PartitionLeaderEpoch:int32 Magic:int8 CRC:uint32
 *   Attributes:int16 LastOffsetDelta:int32 BaseTimestamp:int64 MaxTimestamp:int64
 *   ProducerId:int64 ProducerEpoch:int16 BaseSequence:int32 Records:[Record]
 *
 * The CRC32C covers everything from Attributes to the end. Every batch's CRC is checked,
 * as Kafka's own consumers do: a broker serves its log without checking it.
 */
import { IntegrityError } from "../../errors.ts";
import { crc32c } from "./crc32c.ts";
import type { HeaderList, WireRecord } from "./records.ts";
import { type Cursor, readBytes, readString, readVarInt, readVarLong } from "./varint.ts";

export const TIMESTAMP_TYPE_FLAG = 0x8;
export const TRANSACTIONAL_FLAG = 0x10;
export const CONTROL_FLAG = 0x20;
export const COMPRESSION_MASK = 0x7;
/** Bytes of the batch after its Length field up to its record count. */
export const HEADER_AFTER_LENGTH = 45;
/** Where the CRC sits, and where the bytes it covers start, after the Length field. */
const CRC_AT = 5;
const CRC_FROM = 9;

/** The fields of a batch before its records. Timestamps and ids are BigInts, as on the wire. */
export interface BatchHeader {
  baseOffset: bigint;
  /** Bytes after the Length field. */
  length: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** Record count; -1 in a batch without records. */
  count: number;
}

/** A fetched record batch whose CRC32C does not match its bytes. */
export class CorruptBatchError extends IntegrityError {
  constructor(
    readonly baseOffset: string,
    readonly storedCrc: number,
    readonly computedCrc: number,
  ) {
    super(
      `the record batch at offset ${baseOffset} fails its CRC32C check (it says ` +
        `${hex(storedCrc)}, its bytes give ${hex(computedCrc)})`,
    );
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

/** Reads the header of the batch that starts at `at` (its BaseOffset field). */
export function readBatchHeader(buf: Uint8Array, at: number): BatchHeader {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const h = at + 12;
  return {
    baseOffset: view.getBigInt64(at),
    length: view.getInt32(at + 8),
    partitionLeaderEpoch: view.getInt32(h),
    magic: view.getInt8(h + 4),
    crc: view.getUint32(h + CRC_AT),
    attributes: view.getInt16(h + 9),
    lastOffsetDelta: view.getInt32(h + 11),
    baseTimestamp: view.getBigInt64(h + 15),
    maxTimestamp: view.getBigInt64(h + 23),
    producerId: view.getBigInt64(h + 31),
    producerEpoch: view.getInt16(h + 39),
    baseSequence: view.getInt32(h + 41),
    count: view.getInt32(h + HEADER_AFTER_LENGTH),
  };
}

/** Throws CorruptBatchError when the batch at `at` does not match its CRC32C. */
export function checkBatchCrc(buf: Uint8Array, at: number, header: BatchHeader): void {
  const computed = crc32c(buf.subarray(at + 12 + CRC_FROM, at + 12 + header.length));
  if (computed !== header.crc) {
    throw new CorruptBatchError(header.baseOffset.toString(), header.crc, computed);
  }
}

/** Where the records (or, when compressed, the compressed records) of the batch start. */
export const recordsStart = (at: number): number => at + 12 + HEADER_AFTER_LENGTH + 4;

/** One past the batch's last byte. */
export const batchEnd = (at: number, header: BatchHeader): number => at + 12 + header.length;

/** A 64-bit value as a Number when safe, else as a BigInt. */
function safe(value: bigint): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

function add(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === "number" && typeof b === "number") {
    const n = a + b;
    if (Number.isSafeInteger(n)) return n;
  }
  return BigInt.asIntN(64, BigInt(a) + BigInt(b));
}

function readHeaders(c: Cursor): HeaderList {
  const count = readVarInt(c);
  if (count <= 0) return [];
  const headers: HeaderList = new Array(count);
  for (let i = 0; i < count; i++) headers[i] = [readString(c) as string, readBytes(c)];
  return headers;
}

/**
 * The `header.count` records at `c` (the batch's uncompressed record bytes). A
 * LogAppendTime batch's records carry its MaxTimestamp, as Kafka's consumers see them.
 */
export function decodeRecords(c: Cursor, header: BatchHeader): WireRecord[] {
  const baseOffset = safe(header.baseOffset);
  const baseTimestamp = safe(header.baseTimestamp);
  const appendTime = (header.attributes & TIMESTAMP_TYPE_FLAG) !== 0
    ? safe(header.maxTimestamp)
    : null;
  const records: WireRecord[] = new Array(Math.max(0, header.count));
  for (let i = 0; i < records.length; i++) {
    const length = readVarInt(c);
    const end = c.at + length;
    const attributes = (c.buf[c.at++] << 24) >> 24;
    const timestampDelta = readVarLong(c);
    const timestamp = appendTime ?? add(baseTimestamp, timestampDelta);
    const offset = add(baseOffset, readVarInt(c));
    const key = readBytes(c);
    const value = readBytes(c);
    const headers = readHeaders(c);
    // Bounded by the record's length, as kafkajs's per-record decoder is.
    c.at = end;
    records[i] = { offset, timestamp, key, value, headers, attributes };
  }
  return records;
}
