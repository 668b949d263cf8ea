/** restore.ts --list and --verify: what the archive holds, and whether every chunk is sound. */
import type { StorageBackend } from "../storage/backend.ts";
import { listArchive, loadVerifiedChunk, readPartitionIndex } from "../archive/store.ts";
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
      });
    }
  }
  return rows;
}

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

export function formatInventory(rows: PartitionInventory[]): string {
  return formatTable(
    ["TOPIC", "PARTITION", "CHUNKS", "RECORDS", "BYTES", "OFFSETS", "TIMESTAMPS", "HOLES"],
    rows.map((r) => [
      r.topic,
      r.partition,
      r.chunks,
      r.records,
      r.bytes,
      r.firstOffset === null ? "-" : `${r.firstOffset}..${r.lastOffset}`,
      `${iso(r.minTimestamp)}..${iso(r.maxTimestamp)}`,
      r.holes.length,
    ]),
  );
}

export interface VerifyReport {
  chunks: number;
  records: number;
  /** Group snapshots, topic configs and restoration points found sound. */
  metadataObjects: number;
  problems: string[];
}

/**
 * Downloads, checks the sha256 of, and decodes every chunk, then checks every metadata
 * object (verify_metadata.ts); collects every problem found.
 */
export async function verifyArchive(
  backend: StorageBackend,
  topics: string[],
): Promise<VerifyReport> {
  const report: VerifyReport = { chunks: 0, records: 0, metadataObjects: 0, problems: [] };
  for (const row of await inventory(backend, topics)) {
    for (const { from, to } of row.holes) {
      report.problems.push(`${row.topic}/${row.partition}: offsets ${from}..${to} are in no chunk`);
    }
    const { entries } = await readPartitionIndex(backend, row.topic, row.partition);
    for (const entry of entries) {
      try {
        const { records } = await loadVerifiedChunk(backend, entry);
        report.chunks++;
        report.records += records.length;
      } catch (error) {
        report.problems.push((error as Error).message);
      }
    }
  }
  const metadata = await verifyMetadata(backend, topics);
  report.metadataObjects = metadata.objects;
  report.problems.push(...metadata.problems);
  return report;
}
