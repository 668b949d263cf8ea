/**
 * Faster replacements for two kafkajs internals that the restore profile showed hot,
 * swapped in through the CommonJS module cache before kafkajs first requires them:
 * - CRC32C of every record batch: kafkajs computes it one byte at a time; this is the
 *   same function with slicing-by-16 tables (sixteen bytes per step).
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

/**
 * Slicing-by-16 tables, flat: table k (k = 0..15) at [k * 256, k * 256 + 256). One flat
 * array measured twice as fast as sixteen separate ones (V8 keeps one base in a register).
 */
const TABLE: Int32Array = (() => {
  const table = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c;
  }
  for (let k = 1; k < 16; k++) {
    for (let n = 0; n < 256; n++) {
      const previous = table[(k - 1) * 256 + n];
      table[k * 256 + n] = table[previous & 0xff] ^ (previous >>> 8);
    }
  }
  return table;
})();

/** CRC-32C (Castagnoli) of `data`, unsigned. */
export function crc32c(data: Uint8Array): number {
  const t = TABLE;
  // Four little-endian 32-bit loads per step of 16 bytes (~2x the speed of 8-byte steps
  // over separate tables, which were ~25% faster than byte loads).
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let crc = -1;
  let i = 0;
  const end16 = data.length - (data.length % 16);
  for (; i < end16; i += 16) {
    const a = crc ^ view.getInt32(i, true);
    const b = view.getInt32(i + 4, true);
    const c = view.getInt32(i + 8, true);
    const d = view.getInt32(i + 12, true);
    crc = t[3840 + (a & 0xff)] ^ t[3584 + ((a >>> 8) & 0xff)] ^ t[3328 + ((a >>> 16) & 0xff)] ^
      t[3072 + (a >>> 24)] ^ t[2816 + (b & 0xff)] ^ t[2560 + ((b >>> 8) & 0xff)] ^
      t[2304 + ((b >>> 16) & 0xff)] ^ t[2048 + (b >>> 24)] ^ t[1792 + (c & 0xff)] ^
      t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^ t[1024 + (c >>> 24)] ^
      t[768 + (d & 0xff)] ^ t[512 + ((d >>> 8) & 0xff)] ^ t[256 + ((d >>> 16) & 0xff)] ^
      t[d >>> 24];
  }
  for (; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
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
