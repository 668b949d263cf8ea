/**
 * Constants of the chunk file layout (docs/FORMAT.md) and the one CBOR configuration
 * used to write and read it.
 *
 *   offset 0   8 bytes  magic "KBAKCHNK"
 *   offset 8   u8       format version (1; 2: encrypted, section 11)
 *   offset 9   u32 BE   header length H
 *   offset 13  H bytes  header: a CBOR map, never compressed
 *   offset 13+H         body: a CBOR array of records, compressed with the header's codec
 *                       (version 2: then encrypted with AES-256-GCM, the 16-byte tag last)
 */

// The plain ESM build: the default one for Node loads the native cbor-extract, which makes
// Deno ask a person at a terminal for FFI access (measured: no faster for this data).
import { Decoder, Encoder } from "cbor-x/encode";

/** The first eight bytes of every chunk file. */
export const MAGIC: Uint8Array = new TextEncoder().encode("KBAKCHNK");

/** The format version of an unencrypted chunk (and of its index entry). */
export const FORMAT_VERSION = 1;

/**
 * The format version of an encrypted chunk (docs/FORMAT.md, section 11): the same layout
 * with an `encryption` map in the header and an AES-256-GCM body. Unencrypted chunks keep
 * version 1, so that every reader of version 1 still reads them.
 */
export const ENCRYPTED_FORMAT_VERSION = 2;

/** Every chunk format version this code reads. */
export const FORMAT_VERSIONS: readonly number[] = [FORMAT_VERSION, ENCRYPTED_FORMAT_VERSION];

/** Bytes before the header: magic, version, header length. */
export const PREAMBLE_BYTES = MAGIC.length + 1 + 4;

/** A header is a few hundred bytes; anything far larger is damage, not data. */
export const MAX_HEADER_BYTES = 1 << 20;

/** Compression of a chunk body. */
export type Codec = "zstd" | "gzip" | "none";
/** Every codec, for validation. */
export const CODECS: readonly Codec[] = ["zstd", "gzip", "none"];

/** What a record timestamp means, as Kafka reports it per batch. */
export type TimestampType = "CreateTime" | "LogAppendTime";
/** Every timestamp type, for validation. */
export const TIMESTAMP_TYPES: readonly TimestampType[] = ["CreateTime", "LogAppendTime"];

// Plain, self-describing CBOR that any decoder reads: no cbor-x record extension, no
// tag 64 on byte strings, no shared structures.
const cborOptions = {
  useRecords: false,
  tagUint8Array: false,
  mapsAsObjects: true,
  structuredClone: false,
  pack: false,
} as const;

const cborEncoder = new Encoder(cborOptions) as Encoder & {
  encode(value: unknown, mode: number): Uint8Array;
};

// cbor-x's RESET_BUFFER_MODE (1.6.0 does not export the constant): after the call the
// encoder rewinds, so the next chunk reuses the same warm buffer instead of growing a
// new one. Measured: ~3x faster for a 64 MiB body than the default mode.
const RESET_BUFFER_MODE = 1024;

/**
 * Encodes `value` as CBOR into cbor-x's shared, reused buffer. The result is valid only
 * until the next CBOR encoding in this isolate: consume or copy it at once. The buffer
 * stays as large as the largest value encoded so far.
 */
export function encodeCborTransient(value: unknown): Uint8Array {
  return cborEncoder.encode(value, RESET_BUFFER_MODE);
}
/** The decoder of headers and bodies. Byte strings decode as views, not copies. */
export const cborDecoder: Decoder = new Decoder({ ...cborOptions, copyBuffers: false });

/**
 * A CBOR-ready form of a safe integer. cbor-x writes integers outside 32 bits as
 * float64; a bigint makes it write a real CBOR integer (major type 0 or 1, 8 bytes).
 */
export function cborInt(n: number): number | bigint {
  return (n >>> 0 === n || n >> 0 === n) ? n : BigInt(n);
}

/**
 * The number a decoded CBOR integer stands for (cbor-x gives 64-bit ones as bigint),
 * or `undefined` when it is not a safe integer.
 */
export function safeIntOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === "bigint") {
    const n = Number(value);
    return Number.isSafeInteger(n) && BigInt(n) === value ? n : undefined;
  }
  return undefined;
}
