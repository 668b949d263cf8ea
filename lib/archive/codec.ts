/**
 * Compression of chunk bodies with Deno's built-in zlib (zstd and gzip are native there).
 */

import { once } from "node:events";
import type { Transform } from "node:stream";
import {
  constants,
  createGzip,
  createZstdCompress,
  gunzipSync,
  zstdDecompressSync,
} from "node:zlib";
import type { Codec } from "./format.ts";

/**
 * Compression levels used when the caller gives none. zstd 1, not 3: measured on this
 * machine it compresses ~3x faster (compression was half a backup's CPU at 3) and its
 * ratio was within 1% on half-random records and better on JSON records.
 */
export const DEFAULT_LEVELS: Record<Codec, number> = { zstd: 1, gzip: 6, none: 0 };

/** Output buffers of the compressors: few 'data' events, little slack per open chunk. */
const OUTPUT_CHUNK_BYTES = 256 * 1024;

/**
 * A body being compressed piece by piece: one zstd frame or one gzip member in the end,
 * exactly what one-shot compression of the concatenated pieces would give.
 */
export interface Compressor {
  /** Compresses `bytes` (which the caller must not change afterwards). */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends the body; returns its compressed bytes in order. */
  end(): Promise<Uint8Array[]>;
  /** Frees the compressor without finishing (the body is dropped). */
  destroy(): void;
}

/** A streaming compressor for `codec` (`level` defaults to {@linkcode DEFAULT_LEVELS}). */
export function createCompressor(codec: Codec, level?: number): Compressor {
  switch (codec) {
    case "zstd":
      return new StreamCompressor(createZstdCompress({
        chunkSize: OUTPUT_CHUNK_BYTES,
        params: {
          [constants.ZSTD_c_compressionLevel]: level ?? DEFAULT_LEVELS.zstd,
          // Like gzip's CRC: a damaged body fails to decompress even when the caller
          // decodes without checking the file's SHA-256 first. Costs ~1% (xxhash64).
          [constants.ZSTD_c_checksumFlag]: 1,
        },
      }));
    case "gzip":
      return new StreamCompressor(
        createGzip({ chunkSize: OUTPUT_CHUNK_BYTES, level: level ?? DEFAULT_LEVELS.gzip }),
      );
    case "none":
      return new StoringCompressor();
  }
}

/** zlib's streams, awaited: a write waits for room, so input never piles up in memory. */
class StreamCompressor implements Compressor {
  readonly #output: Uint8Array[] = [];

  constructor(private readonly stream: Transform) {
    stream.on("data", (piece: Uint8Array) => this.#output.push(piece));
    // Errors reach the awaiting write or end through `once`; this keeps them from being
    // thrown as unhandled when nobody is waiting at that moment.
    stream.on("error", () => {});
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.stream.write(bytes)) await once(this.stream, "drain");
  }

  async end(): Promise<Uint8Array[]> {
    const ended = once(this.stream, "end");
    this.stream.end();
    await ended;
    return this.#output;
  }

  destroy(): void {
    this.stream.destroy();
    this.#output.length = 0;
  }
}

/** Codec "none": the body is the pieces as they are. */
class StoringCompressor implements Compressor {
  #pieces: Uint8Array[] = [];

  write(bytes: Uint8Array): Promise<void> {
    this.#pieces.push(bytes);
    return Promise.resolve();
  }

  end(): Promise<Uint8Array[]> {
    return Promise.resolve(this.#pieces);
  }

  destroy(): void {
    this.#pieces = [];
  }
}

/**
 * Decompresses `data` into a plain `Uint8Array` (a view of zlib's `Buffer`, not a copy),
 * so that byte strings decoded from it are plain `Uint8Array`s too. `expectedBytes`
 * bounds the output: a damaged frame cannot make it allocate without limit.
 */
export function decompress(codec: Codec, data: Uint8Array, expectedBytes: number): Uint8Array {
  // One output buffer of the expected size: zlib's default 16 KiB pieces would all be
  // copied again into the result (measured: ~10% of a restore's CPU). Capped, because a
  // damaged header may claim any size.
  const limit = {
    maxOutputLength: Math.max(expectedBytes, 1),
    chunkSize: Math.min(Math.max(expectedBytes, 64 * 1024), 256 * 1024 * 1024),
  };
  const out = codec === "zstd"
    ? zstdDecompressSync(data, limit)
    : codec === "gzip"
    ? gunzipSync(data, limit)
    : data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
