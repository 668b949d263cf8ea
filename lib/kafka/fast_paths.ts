/**
 * Faster replacements for two kafkajs internals that the restore profile showed hot,
 * swapped in through the CommonJS module cache before kafkajs first requires them:
 * - CRC32C of every record batch: kafkajs computes it one byte at a time; this is the
 *   same function with slicing-by-8 tables (eight bytes per step).
 * - grouping a send's messages per partition: kafkajs copies the growing array for every
 *   message (quadratic in the messages of one send); this appends.
 * - three methods of kafkajs's Encoder, patched on its prototype: a varint no longer
 *   allocates a Buffer, a copy uses TypedArray.set instead of Buffer.copy, and a growing
 *   buffer is not zero-filled first (only bytes below `offset` are ever read) nor rounded
 *   up to a power of two for one large write.
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const TABLES: Int32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) {
      tables[t][n] = tables[0][tables[t - 1][n] & 0xff] ^ (tables[t - 1][n] >>> 8);
    }
  }
  return tables;
})();

/** CRC-32C (Castagnoli) of `data`, unsigned. */
export function crc32c(data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  // Two little-endian 32-bit loads per step instead of eight byte loads (~25% faster).
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let crc = -1;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    const a = crc ^ view.getInt32(i, true);
    const b = view.getInt32(i + 4, true);
    crc = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[b & 0xff] ^ t2[(b >>> 8) & 0xff] ^ t1[(b >>> 16) & 0xff] ^ t0[b >>> 24];
  }
  for (; i < data.length; i++) crc = t0[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

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

// deno-lint-ignore no-explicit-any
const Encoder: any = require("kafkajs/src/protocol/encoder.js");

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

replace("kafkajs/src/protocol/recordBatch/crc32C/index.js", crc32c);
replace("kafkajs/src/producer/groupMessagesPerPartition.js", groupMessagesPerPartition);
