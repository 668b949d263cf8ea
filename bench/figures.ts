/** The figures one benchmark run produces, as written to bench/results/*.json. */
import type { Machine } from "./machine.ts";
import type { Measured } from "./measure.ts";

/** One timed step: a kcat ceiling, a backup or a restore. Rates are null if it failed. */
export interface Figure {
  step: string;
  records: number;
  /** Keys + values: what the records carry, the same for every step. */
  payloadBytes: number;
  wallSeconds: number | null;
  recordsPerSecond: number | null;
  /** Payload MiB (2^20 bytes, as backup.ts prints "MB") per second of wall time. */
  mibPerSecond: number | null;
  peakRssBytes: number | null;
  /** Why the step failed (exit code or time limit, and the tail of its stderr). */
  error?: string;
  /** Bytes of .chunk objects a backup stored, and payloadBytes / storedBytes. */
  storedBytes?: number;
  compressionRatio?: number;
  /** The duration the script itself reported (wall time minus start-up and exit). */
  toolSeconds?: number;
  /** The records the script reported it backed up or restored. */
  toolRecords?: number;
  /**
   * Backups: the payload bytes the script reported reading from Kafka (beside the topic's
   * payloadBytes: more means records were read twice, e.g. after a rebalance at start).
   */
  readBytes?: number;
}

/** A point of a scaling series: one local backup. Rates are null if it failed. */
export interface ScalingPoint {
  threads: number;
  partitions: number;
  records: number;
  payloadBytes: number;
  recordsPerSecond: number | null;
  mibPerSecond: number | null;
  peakRssBytes: number | null;
  error?: string;
}

/** Everything a run measured, with what it ran on and with which options. */
export interface BenchResults {
  startedAt: string;
  machine: Machine;
  options: Record<string, unknown>;
  dataset: { records: number; recordSize: number; keySize: number; payloadBytes: number };
  figures: Figure[];
  /** Null where a step was skipped or failed. */
  ratios: {
    backupLocalOfConsume: number | null;
    backupS3OfConsume: number | null;
    restoreLocalOfProduce: number | null;
    restoreS3OfProduce: number | null;
  };
  scaling: {
    payloadBytes: number;
    threads: ScalingPoint[];
    partitions: ScalingPoint[];
    /** Peak RSS of the same backup (threads, partitions) at total/4 and at total. */
    rss: Array<{ payloadBytes: number; peakRssBytes: number | null }>;
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

/** A step that failed: its error instead of rates, so the other steps still report. */
export function failedFigure(
  step: string,
  error: unknown,
  records: number,
  payloadBytes: number,
): Figure {
  return {
    step,
    records,
    payloadBytes,
    wallSeconds: null,
    recordsPerSecond: null,
    mibPerSecond: null,
    peakRssBytes: null,
    error: error instanceof Error ? error.message : String(error),
  };
}
