/** restore.ts --list and --verify: what the archive holds, and whether every chunk is sound. */
import type { StorageBackend } from "../storage/backend.ts";
import { listArchive, loadVerifiedChunk, readPartitionIndex } from "../archive/store.ts";
import { checkHeaderAgainstEntry, fetchCheckedChunk, prunedSinceRead } from "../archive/store.ts";
import { decodeChunkHeader } from "../archive/chunk_decode.ts";
import type { DecryptionKeys } from "../archive/encryption.ts";
import { checkContinuity, type Hole } from "../archive/continuity.ts";
import { formatTable } from "../util/table.ts";
import { verifyMetadata } from "./verify_metadata.ts";

export interface PartitionInventory {
  topic: string;
  partition: number;
  chunks: number;
  records: number;
  bytes: number;
  firstOffset: number | null;
  lastOffset: number | null;
  minTimestamp: number | null;
  maxTimestamp: number | null;
  holes: Hole[];
  orphans: number;
  /** The key ids of its encrypted chunks, sorted; empty when none is encrypted. */
  keyIds: string[];
}

/** One row per archived partition, from index entries only. */
export async function inventory(
  backend: StorageBackend,
  topics?: string[],
): Promise<PartitionInventory[]> {
  const rows: PartitionInventory[] = [];
  for (const { topic, partitions } of await listArchive(backend)) {
    if (topics && !topics.includes(topic)) continue;
    for (const partition of partitions) {
      const { entries, orphans } = await readPartitionIndex(backend, topic, partition);
      const nonEmpty = entries.filter((e) => e.count > 0);
      rows.push({
        topic,
        partition,
        chunks: entries.length,
        records: entries.reduce((n, e) => n + e.count, 0),
        bytes: entries.reduce((n, e) => n + e.bytes, 0),
        firstOffset: nonEmpty[0]?.firstOffset ?? null,
        lastOffset: nonEmpty.at(-1)?.lastOffset ?? null,
        minTimestamp: nonEmpty.length ? Math.min(...nonEmpty.map((e) => e.minTimestamp!)) : null,
        maxTimestamp: nonEmpty.length ? Math.max(...nonEmpty.map((e) => e.maxTimestamp!)) : null,
        holes: checkContinuity(entries).holes,
        orphans: orphans.length,
        keyIds: [...new Set(entries.flatMap((e) => e.encryption ? [e.encryption.keyId] : []))]
          .sort(),
      });
    }
  }
  return rows;
}

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

/** The key ids of `rows` that `keys` does not give (all of them when no keys are given). */
export function missingKeyIds(rows: PartitionInventory[], keys?: DecryptionKeys): string[] {
  const ids = new Set(rows.flatMap((r) => r.keyIds));
  return [...ids].filter((id) => !keys || !Object.hasOwn(keys, id)).sort();
}

export function formatInventory(rows: PartitionInventory[], keys?: DecryptionKeys): string {
  const missing = missingKeyIds(rows, keys);
  const table = formatTable(
    [
      "TOPIC",
      "PARTITION",
      "CHUNKS",
      "RECORDS",
      "BYTES",
      "OFFSETS",
      "TIMESTAMPS",
      "HOLES",
      "KEY IDS",
    ],
    rows.map((r) => [
      r.topic,
      r.partition,
      r.chunks,
      r.records,
      r.bytes,
      r.firstOffset === null ? "-" : `${r.firstOffset}..${r.lastOffset}`,
      `${iso(r.minTimestamp)}..${iso(r.maxTimestamp)}`,
      r.holes.length,
      r.keyIds.length === 0 ? "-" : r.keyIds.join(","),
    ]),
  );
  if (missing.length === 0) return table;
  const ids = missing.map((id) => `"${id}"`).join(", ");
  return `${table}\nencrypted under key id(s) ${ids}, which ${
    keys ? "DECRYPTION_KEYS does not give" : "need DECRYPTION_KEYS"
  } to be restored`;
}

export interface VerifyReport {
  chunks: number;
  records: number;
  /** Group snapshots, topic configs and restoration points found sound. */
  metadataObjects: number;
  /**
   * Present when some are: encrypted chunks and metadata objects checked by their
   * SHA-256 only (and a chunk's header), because no DECRYPTION_KEYS were given.
   */
  checksumOnly?: number;
  problems: string[];
}

/**
 * Downloads, checks the sha256 of, decrypts (authenticating every GCM tag) and decodes
 * every chunk, then checks every metadata object (verify_metadata.ts); collects every
 * problem found. Without `keys`, encrypted objects are checked by their SHA-256 only.
 */
export async function verifyArchive(
  backend: StorageBackend,
  topics: string[],
  keys?: DecryptionKeys,
): Promise<VerifyReport> {
  const report: VerifyReport = { chunks: 0, records: 0, metadataObjects: 0, problems: [] };
  let checksumOnly = 0;
  for (const row of await inventory(backend, topics)) {
    for (const { from, to } of row.holes) {
      report.problems.push(`${row.topic}/${row.partition}: offsets ${from}..${to} are in no chunk`);
    }
    const { entries } = await readPartitionIndex(backend, row.topic, row.partition);
    for (const entry of entries) {
      try {
        if (entry.encryption && keys === undefined) {
          // What sha256sum -c checks, and the header against the index entry.
          const bytes = await fetchCheckedChunk(backend, entry);
          checkHeaderAgainstEntry(decodeChunkHeader(bytes, entry.key).header, entry);
          checksumOnly++;
          report.records += entry.count;
        } else {
          report.records += (await loadVerifiedChunk(backend, entry, keys)).records.length;
        }
        report.chunks++;
      } catch (error) {
        if (await prunedSinceRead(backend, entry, error) !== null) continue;
        report.problems.push((error as Error).message);
      }
    }
  }
  const metadata = await verifyMetadata(backend, topics, keys);
  report.metadataObjects = metadata.objects;
  report.problems.push(...metadata.problems);
  checksumOnly += metadata.checksumOnly;
  // Only when there are some, so that the report of an archive in the clear is unchanged.
  return checksumOnly > 0 ? { ...report, checksumOnly } : report;
}
