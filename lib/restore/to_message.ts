/** Archived record -> kafkajs message, bytes passed as Buffer views (no copies). */
import { Buffer } from "node:buffer";
import type { Message } from "../kafka/kafkajs.ts";
import { headersFor } from "../kafka/kafkajs.ts";
import type { ArchivedRecord } from "../archive/record.ts";

// kafkajs writes anything that is not a Buffer as String(value): a Uint8Array must be wrapped.
const asBuffer = (bytes: Uint8Array | null): Buffer | null =>
  bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Bytes a record takes in a record batch, closely enough to stay under the broker's limit. */
export function recordSize(record: ArchivedRecord): number {
  let size = 64 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [name, value] of record.headers) size += 16 + name.length + (value?.length ?? 0);
  return size;
}

export function toMessage(record: ArchivedRecord, partition: number): Message {
  return {
    partition,
    key: asBuffer(record.key),
    value: asBuffer(record.value),
    timestamp: String(record.timestamp),
    headers: headersFor(
      record.headers.map(([name, value]) => [name, asBuffer(value)]),
    ) as Message["headers"],
  };
}
