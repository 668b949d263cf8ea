/**
 * Compression of chunk bodies with Deno's built-in zlib (zstd and gzip are native there).
 */

import { constants, gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import type { Codec } from "./format.ts";

/** Compression levels used when the caller gives none: fast, and still a good ratio. */
export const DEFAULT_LEVELS: Record<Codec, number> = { zstd: 3, gzip: 6, none: 0 };

/** Compresses `data` with `codec` (`level` defaults to {@linkcode DEFAULT_LEVELS}). */
export function compress(codec: Codec, data: Uint8Array, level?: number): Uint8Array {
  switch (codec) {
    case "zstd":
      return zstdCompressSync(data, {
        params: {
          [constants.ZSTD_c_compressionLevel]: level ?? DEFAULT_LEVELS.zstd,
          // Like gzip's CRC: a damaged body fails to decompress even when the caller
          // decodes without checking the file's SHA-256 first. Costs ~1% (xxhash64).
          [constants.ZSTD_c_checksumFlag]: 1,
        },
      });
    case "gzip":
      return gzipSync(data, { level: level ?? DEFAULT_LEVELS.gzip });
    case "none":
      return data;
  }
}

/**
 * Decompresses `data` into a plain `Uint8Array` (a view of zlib's `Buffer`, not a copy),
 * so that byte strings decoded from it are plain `Uint8Array`s too. `expectedBytes`
 * bounds the output: a damaged frame cannot make it allocate without limit.
 */
export function decompress(codec: Codec, data: Uint8Array, expectedBytes: number): Uint8Array {
  const limit = { maxOutputLength: Math.max(expectedBytes, 1) };
  const out = codec === "zstd"
    ? zstdDecompressSync(data, limit)
    : codec === "gzip"
    ? gunzipSync(data, limit)
    : data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
