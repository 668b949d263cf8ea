/**
 * The one door between our records and kafkajs's messages, both ways, so no code of ours
 * reaches into a kafkajs message for our data and no hidden property carries it.
 *
 * - Consumed: the patched batch decoder (patches/batch_decoder.ts) builds every fetched
 *   message with its decoded record (numbers for offset and timestamp, bytes, the ordered
 *   header list) in the message's `record` field; `consumedRecord` reads it.
 * - Produced: `producedMessage` builds a kafkajs message whose `record` field holds the
 *   record to write; the patched produce request (patches/produce_request.ts) writes it
 *   as it is, header order, duplicates and null values included.
 */
import { Buffer } from "node:buffer";
import type { KafkaMessage, Message } from "kafkajs";
import type { HeaderList, WireRecord } from "./protocol/records.ts";

/** What a produced message carries for the patched produce request. */
export interface ProducedRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: number;
  headers: HeaderList;
}

/** A message of a consumed batch, as the patched decoder builds it. */
export type ConsumedMessage = KafkaMessage & { record: WireRecord };

/** The record of a message that a consumer of ours was given. */
export function consumedRecord(message: KafkaMessage): WireRecord {
  const record = (message as Partial<ConsumedMessage>).record;
  if (!record) {
    throw new Error("a consumed message without its record: is the batch decoder patched?");
  }
  return record;
}

// kafkajs writes anything that is not a Buffer as String(value): a Uint8Array is wrapped.
const asBuffer = (bytes: Uint8Array | null): Buffer | null =>
  bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The message that produces `record` to `partition` exactly. */
export function producedMessage(record: ProducedRecord, partition: number): Message {
  const message: Message & { record: ProducedRecord } = {
    partition,
    key: asBuffer(record.key),
    value: asBuffer(record.value),
    timestamp: String(record.timestamp),
    record,
  };
  return message;
}

/** The record a produced message carries, or undefined for a message built elsewhere. */
export const producedRecord = (message: unknown): ProducedRecord | undefined =>
  (message as { record?: ProducedRecord }).record;
