/** Reads a local archive back with the library's own reader, for comparing with Kafka. */
import { LocalBackend } from "../../lib/storage/local.ts";
import type { StorageBackend } from "../../lib/storage/backend.ts";
import { listArchive, loadVerifiedChunk, readPartitionIndex } from "../../lib/archive/store.ts";
import type { TestRecord } from "./records.ts";
import type { DecryptionKeys } from "../../lib/archive/encryption.ts";

export interface ArchiveContents {
  /** Every archived record, in partition then offset order (duplicates kept, to be detected). */
  records: TestRecord[];
  /** Number of stored chunks. */
  chunks: number;
}

/** Reads a local archive (a directory) or any storage backend (encrypted: with `keys`). */
export async function readArchive(
  root: string | StorageBackend,
  topic: string,
  keys?: DecryptionKeys,
): Promise<ArchiveContents> {
  const backend = typeof root === "string" ? new LocalBackend(root) : root;
  const records: TestRecord[] = [];
  let chunks = 0;
  const found = (await listArchive(backend)).find((t) => t.topic === topic);
  for (const partition of found?.partitions ?? []) {
    const { entries } = await readPartitionIndex(backend, topic, partition);
    for (const entry of entries) {
      chunks++;
      const chunk = await loadVerifiedChunk(backend, entry, keys);
      for (const r of chunk.records) {
        records.push({
          partition,
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.key,
          value: r.value,
          headers: r.headers,
        });
      }
    }
  }
  if (typeof root === "string") await backend.close();
  records.sort((a, b) => a.partition - b.partition || a.offset! - b.offset!);
  return { records, chunks };
}

/** "partition/offset" strings that occur more than once. */
export function duplicates(records: TestRecord[]): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const r of records) {
    const id = `${r.partition}/${r.offset}`;
    if (seen.has(id)) dups.push(id);
    seen.add(id);
  }
  return dups;
}
