/**
 * Replaces three small kafkajs internals the restore profile showed hot:
 * - CRC32C of every produced batch (recordBatch/crc32C): kafkajs computes it one byte at
 *   a time; protocol/crc32c.ts does sixteen bytes per step (about 1 GB/s here).
 * - grouping a send's messages per partition (producer/groupMessagesPerPartition):
 *   kafkajs copies the growing array for every message, quadratic in a send; this appends.
 * - three methods of kafkajs's Encoder: a varint no longer allocates a Buffer, a copy
 *   uses TypedArray.set instead of Buffer.copy, and a growing buffer is neither
 *   zero-filled first nor rounded up to a power of two for one large write.
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { crc32c } from "../protocol/crc32c.ts";
import { Encoder } from "./kafkajs_encoder.ts";

const require = createRequire(import.meta.url);

interface GroupArgs {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
}

function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: GroupArgs) {
  const groups: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return groups;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (groups[partition] ??= []).push(message);
  }
  return groups;
}

function replace(path: string, implementation: unknown): void {
  const resolved = require.resolve(path);
  require(resolved);
  require.cache[resolved]!.exports = implementation;
}

function patchEncoder(): void {
  Encoder.prototype.writeUVarInt = function (value: number) {
    this.ensureAvailable(5);
    const buf = this.buf;
    let at = this.offset;
    // Same loop condition as kafkajs: a negative int32 is written as its unsigned form.
    while ((value & 0xffffff80) !== 0) {
      buf[at++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[at++] = value & 0x7f;
    this.offset = at;
    return this;
  };
  Encoder.prototype.writeBufferInternal = function (buffer: Uint8Array) {
    this.ensureAvailable(buffer.length);
    this.buf.set(buffer, this.offset);
    this.offset += buffer.length;
  };
  Encoder.prototype.ensureAvailable = function (length: number) {
    const needed = this.offset + length;
    if (needed <= this.buf.length) return;
    // A write larger than the whole buffer is a bulk copy (a record batch into its request):
    // room for it and a little more, not the next power of two, which would double it.
    const size = length > this.buf.length ? needed + 1024 : Encoder.nextPowerOfTwo(needed);
    const grown = Buffer.allocUnsafe(size);
    grown.set(this.buf.subarray(0, this.offset));
    this.buf = grown;
  };
}

export function install(): void {
  replace("kafkajs/src/protocol/recordBatch/crc32C/index.js", crc32c);
  replace("kafkajs/src/producer/groupMessagesPerPartition.js", groupMessagesPerPartition);
  patchEncoder();
}
