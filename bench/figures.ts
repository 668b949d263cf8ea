/** The figures one benchmark run produces, as written to bench/results/*.json. */
import type { Machine } from "./machine.ts";
import type { Measured } from "./measure.ts";

/** One timed step: a kcat ceiling, a backup or a restore. */
export interface Figure {
  step: string;
  records: number;
  /** Keys + values: what the records carry, the same for every step. */
  payloadBytes: number;
  wallSeconds: number;
  recordsPerSecond: number;
  /** Payload MiB (2^20 bytes, as backup.ts prints "MB") per second of wall time. */
  mibPerSecond: number;
  peakRssBytes: number | null;
  /** Bytes of .chunk objects a backup stored, and payloadBytes / storedBytes. */
  storedBytes?: number;
  compressionRatio?: number;
  /** The duration the script itself reported (wall time minus start-up and exit). */
  toolSeconds?: number;
  /** The records the script reported it backed up or restored. */
  toolRecords?: number;
}

/** A point of a scaling series: one local backup. */
export interface ScalingPoint {
  threads: number;
  partitions: number;
  records: number;
  payloadBytes: number;
  recordsPerSecond: number;
  mibPerSecond: number;
  peakRssBytes: number;
}

/** Everything a run measured, with what it ran on and with which options. */
export interface BenchResults {
  startedAt: string;
  machine: Machine;
  options: Record<string, unknown>;
  dataset: { records: number; recordSize: number; keySize: number; payloadBytes: number };
  figures: Figure[];
  ratios: {
    backupLocalOfConsume: number;
    backupS3OfConsume: number | null;
    restoreLocalOfProduce: number;
    restoreS3OfProduce: number | null;
  };
  scaling: {
    payloadBytes: number;
    threads: ScalingPoint[];
    partitions: ScalingPoint[];
    /** Peak RSS of the same backup (threads, partitions) at total/4 and at total. */
    rss: Array<{ payloadBytes: number; peakRssBytes: number }>;
  } | null;
}

/** A figure from a measured child: rates over wall time. */
export function figureOf(
  step: string,
  run: Measured,
  records: number,
  payloadBytes: number,
): Figure {
  return {
    step,
    records,
    payloadBytes,
    wallSeconds: run.wallSeconds,
    recordsPerSecond: records / run.wallSeconds,
    mibPerSecond: payloadBytes / (1 << 20) / run.wallSeconds,
    peakRssBytes: run.peakRssBytes || null,
  };
}
