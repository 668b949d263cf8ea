/**
 * The chunk a partition is filling: records consumed but not yet stored. It covers the
 * offsets [from, position - 1]; records inside may be sparse (compaction, transactions).
 * Records are encoded and compressed as they are appended, so it holds compressed bytes.
 */
import type { ArchivedRecord } from "../archive/record.ts";
import { type ChunkStart, ChunkWriter, type EncodedChunk } from "../archive/chunk_encode.ts";

export interface ChunkLimits {
  maxRecords: number;
  maxBytes: number;
  maxAgeMs: number;
}

/** Payload bytes of a record as MAX_CHUNK_BYTES counts them: key, value and headers. */
export function payloadBytesOf(record: ArchivedRecord): number {
  let bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0) + 24;
  for (const [name, value] of record.headers) bytes += name.length + (value?.length ?? 0);
  return bytes;
}

export class OpenChunk {
  /** Payload bytes of the records so far. */
  bytes = 0;
  readonly openedAt = Date.now();
  readonly from: number;
  readonly #writer: ChunkWriter;

  constructor(start: ChunkStart) {
    this.from = start.from;
    this.#writer = new ChunkWriter(start);
  }

  /** Records appended so far. */
  get count(): number {
    return this.#writer.count;
  }

  /** Appends `records`, whose payload is `bytes` (from {@linkcode payloadBytesOf}). */
  async append(records: readonly ArchivedRecord[], bytes: number): Promise<void> {
    await this.#writer.append(records);
    this.bytes += bytes;
  }

  /** Would the chunk be full with `records` and `bytes` more? */
  isFull(limits: ChunkLimits, records = 0, bytes = 0): boolean {
    return this.count + records >= limits.maxRecords || this.bytes + bytes >= limits.maxBytes;
  }

  /** True when the chunk has been open long enough that it must be stored. */
  isOld(limits: ChunkLimits, now = Date.now()): boolean {
    return now - this.openedAt >= limits.maxAgeMs;
  }

  /** The chunk file covering [from, `to`]. */
  seal(to: number): Promise<EncodedChunk> {
    return this.#writer.finish(to);
  }

  /** Drops the chunk unstored (its records will be read again from Kafka). */
  discard(): void {
    this.#writer.discard();
  }
}
