/**
 * The chunk archive: naming, file format, index entries, checksums, and storing and
 * loading chunks on a storage backend. Specified in docs/FORMAT.md.
 *
 * @module
 */

export type { ArchivedRecord } from "./record.ts";
export * from "./keys.ts";
export { type Codec, CODECS, FORMAT_VERSION, MAGIC, TIMESTAMP_TYPES } from "./format.ts";
export type { TimestampType } from "./format.ts";
export type { ChunkHeader } from "./header.ts";
export { type ChunkMeta, encodeChunk, type EncodedChunk } from "./chunk_encode.ts";
export { decodeChunk, decodeChunkHeader, type DecodedChunk } from "./chunk_decode.ts";
export { type ChunkIndexEntry, parseIndexEntry, serializeIndexEntry } from "./index_entry.ts";
export { formatSidecar, parseSidecar, sha256Hex, type Sidecar } from "./checksum.ts";
export { computeGaps } from "./gaps.ts";
export * from "./store.ts";
export * from "./continuity.ts";
