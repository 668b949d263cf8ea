/** restore.ts --list-points: the archive's restoration points, newest last. */
import type { StorageBackend } from "../storage/backend.ts";
import { listRestorationPoints, readRestorationPoint } from "../archive/restoration_point.ts";
import { readPartitionIndex } from "../archive/store.ts";
import { formatTable } from "../util/table.ts";

export interface PointRow {
  id: string;
  createdAt: string;
  ageSeconds: number;
  topics: string[];
  /** Records the archive holds up to the point, for the topics asked about. */
  records: number;
  groupSnapshot: string | null;
}

/** One row per point; `topics` limits the records counted (and shown) to those topics. */
export async function listPoints(backend: StorageBackend, topics?: string[]): Promise<PointRow[]> {
  const counted = new Map<string, Array<{ to: number; count: number }>>();
  const entriesOf = async (topic: string, partition: number) => {
    const key = `${topic}/${partition}`;
    if (!counted.has(key)) {
      const { entries } = await readPartitionIndex(backend, topic, partition);
      counted.set(key, entries.map((e) => ({ to: e.to, count: e.count })));
    }
    return counted.get(key)!;
  };
  const rows: PointRow[] = [];
  for (const id of await listRestorationPoints(backend)) {
    const point = await readRestorationPoint(backend, id);
    let records = 0;
    const shown = point.topics.filter((t) => !topics || topics.includes(t.topic));
    for (const { topic, partitions } of shown) {
      for (const { partition, end } of partitions) {
        if (end === null) continue;
        for (const e of await entriesOf(topic, partition)) if (e.to < end) records += e.count;
      }
    }
    rows.push({
      id,
      createdAt: point.createdAt,
      ageSeconds: Math.round((Date.now() - Date.parse(point.createdAt)) / 1000),
      topics: shown.map((t) => t.topic),
      records,
      groupSnapshot: point.groupSnapshot?.key ?? null,
    });
  }
  return rows;
}

/** "3d 4h", "5h 12m", "40 s": how long ago. */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function formatPoints(rows: PointRow[]): string {
  if (rows.length === 0) return "No restoration point in the archive.";
  return formatTable(
    ["ID", "TIME", "AGE", "TOPICS", "RECORDS", "GROUPS"],
    rows.map((r) => [
      r.id,
      r.createdAt,
      formatAge(r.ageSeconds),
      r.topics.join(","),
      r.records,
      r.groupSnapshot === null ? "-" : "yes",
    ]),
  );
}
