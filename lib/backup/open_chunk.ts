/**
 * The chunk a partition is filling: records consumed but not yet stored. It covers the
 * offsets [from, position - 1]; records inside may be sparse (compaction, transactions).
 */
import type { ArchivedRecord } from "../archive/record.ts";

export interface ChunkLimits {
  maxRecords: number;
  maxBytes: number;
  maxAgeMs: number;
}

export class OpenChunk {
  readonly records: ArchivedRecord[] = [];
  /** Payload bytes (keys, values, header names and values) of the records so far. */
  bytes = 0;
  readonly openedAt = Date.now();

  constructor(readonly topic: string, readonly partition: number, readonly from: number) {}

  add(record: ArchivedRecord): void {
    this.records.push(record);
    this.bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0) + 24;
    for (const [name, value] of record.headers) this.bytes += name.length + (value?.length ?? 0);
  }

  /** True when the chunk has reached its record count or byte size. */
  isFull(limits: ChunkLimits): boolean {
    return this.records.length >= limits.maxRecords || this.bytes >= limits.maxBytes;
  }

  /** True when the chunk has been open long enough that it must be stored. */
  isOld(limits: ChunkLimits, now = Date.now()): boolean {
    return now - this.openedAt >= limits.maxAgeMs;
  }
}
