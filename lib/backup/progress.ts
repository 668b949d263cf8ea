/** Progress lines and the closing summary of a backup. */
import type { WorkerCounters } from "./messages.ts";

export function sumCounters(all: Iterable<WorkerCounters>): WorkerCounters {
  const total: WorkerCounters = {
    records: 0,
    bytes: 0,
    chunks: 0,
    storedBytes: 0,
    storedRecords: 0,
  };
  for (const c of all) {
    total.records += c.records;
    total.bytes += c.bytes;
    total.chunks += c.chunks;
    total.storedBytes += c.storedBytes;
    total.storedRecords += c.storedRecords;
    total.queuedBytes = (total.queuedBytes ?? 0) + (c.queuedBytes ?? 0);
  }
  return total;
}

export const mb = (bytes: number): number => bytes / (1024 * 1024);

/** "12,345 records/s, 11.8 MB/s, lag 1,000 records, ETA 4 s" */
export function progressLine(
  previous: WorkerCounters,
  current: WorkerCounters,
  seconds: number,
  lag: number | null,
): string {
  const rate = (current.records - previous.records) / seconds;
  const mbps = mb(current.bytes - previous.bytes) / seconds;
  let line =
    `progress: ${Math.round(rate).toLocaleString("en")} records/s, ${mbps.toFixed(1)} MB/s, ` +
    `${current.storedRecords.toLocaleString("en")} records stored in ${current.chunks} chunks`;
  if (lag !== null) {
    line += `, lag ${lag.toLocaleString("en")} records`;
    if (rate > 0) line += `, ETA ${Math.ceil(lag / rate)} s`;
  }
  return line;
}

export interface BackupSummary {
  topics: string[];
  partitions: number;
  records: number;
  bytesConsumed: number;
  bytesStored: number;
  chunks: number;
  durationSeconds: number;
  mbPerSecond: number;
}

export function formatSummary(summary: BackupSummary): string {
  return [
    `Backup finished: ${summary.topics.join(", ")}`,
    `  partitions     ${summary.partitions}`,
    `  records        ${summary.records}`,
    `  bytes read     ${summary.bytesConsumed}`,
    `  bytes stored   ${summary.bytesStored}`,
    `  chunks         ${summary.chunks}`,
    `  duration       ${summary.durationSeconds.toFixed(1)} s`,
    `  throughput     ${summary.mbPerSecond.toFixed(1)} MB/s`,
  ].join("\n");
}
