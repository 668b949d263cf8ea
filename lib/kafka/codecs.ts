/**
 * Compression codecs for kafkajs, which reads only gzip out of the box: without these a
 * topic written with snappy, lz4 or zstd could not be backed up.
 * - zstd: node:zlib (native).
 * - lz4: lz4js (Kafka uses the LZ4 frame format).
 * - snappy: snappyjs, plus the xerial framing that Java producers wrap snappy in.
 * The last two are loaded at their first batch (snappy_lz4.ts): lz4js alone allocates
 * 5 MiB in every Worker that loads it, and most topics use neither.
 */
import type { Buffer } from "node:buffer";
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";

const snappyLz4 = () => import("./snappy_lz4.ts");

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

export const snappyCodec = (): Codec => ({
  compress: async (encoder) => (await snappyLz4()).snappyCompress(encoder.buffer),
  decompress: async (buffer) => (await snappyLz4()).snappyDecompress(buffer),
});

// Only reading matters for lz4: restore never produces with it (lz4js's frames are not
// accepted by the broker), so compressing fails loudly instead of sending bad batches.
export const lz4Codec = (): Codec => ({
  compress: () => Promise.reject(new Error("lz4 is not supported for producing; use zstd or gzip")),
  decompress: async (buffer) => (await snappyLz4()).lz4Decompress(buffer),
});

export const zstdCodec = (): Codec => ({
  compress: (encoder) => Promise.resolve(zstdCompressSync(encoder.buffer)),
  decompress: (buffer) => Promise.resolve(zstdDecompressSync(buffer)),
});
