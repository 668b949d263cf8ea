/**
 * Compression codecs for kafkajs, which reads only gzip out of the box: without these a
 * topic written with snappy, lz4 or zstd could not be backed up.
 * - zstd: node:zlib (native).
 * - lz4: lz4js (Kafka uses the LZ4 frame format).
 * - snappy: snappyjs, plus the xerial framing that Java producers wrap snappy in.
 */
import { Buffer } from "node:buffer";
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";
import * as lz4 from "lz4js";
import * as snappy from "snappyjs";

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

/** Snappy as Kafka sends it: raw, or in xerial blocks (16-byte header, then length-prefixed blocks). */
export function snappyDecompress(data: Buffer): Buffer {
  if (data.length < 16 || !data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return Buffer.from(snappy.uncompress(data));
  }
  const parts: Buffer[] = [];
  let pos = 16;
  while (pos < data.length) {
    const size = data.readUInt32BE(pos);
    pos += 4;
    parts.push(Buffer.from(snappy.uncompress(data.subarray(pos, pos + size))));
    pos += size;
  }
  return Buffer.concat(parts);
}

export const snappyCodec = (): Codec => ({
  compress: (encoder) => Promise.resolve(Buffer.from(snappy.compress(encoder.buffer))),
  decompress: (buffer) => Promise.resolve(snappyDecompress(buffer)),
});

// Only reading matters for lz4: restore never produces with it (lz4js's frames are not
// accepted by the broker), so compressing fails loudly instead of sending bad batches.
export const lz4Codec = (): Codec => ({
  compress: () => Promise.reject(new Error("lz4 is not supported for producing; use zstd or gzip")),
  decompress: (buffer) => Promise.resolve(Buffer.from(lz4.decompress(buffer))),
});

export const zstdCodec = (): Codec => ({
  compress: (encoder) => Promise.resolve(zstdCompressSync(encoder.buffer)),
  decompress: (buffer) => Promise.resolve(zstdDecompressSync(buffer)),
});
