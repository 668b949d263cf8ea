/**
 * A run's metrics in the Prometheus registry of prom-client: what was read, stored or
 * restored, per-partition lag, the upload queue, errors by exit code, and the time of the
 * last success (so "no successful backup for 26 h" is one alert rule, docs/operations.md).
 * Engines report cumulative totals; the counters here move by the difference.
 */
import { Counter, Gauge, Registry } from "prom-client";

export type RunKind = "backup" | "restore";

/** Cumulative totals an engine reports (all optional: each kind has its own). */
export interface RunTotals {
  recordsRead?: number;
  bytesRead?: number;
  recordsStored?: number;
  bytesStored?: number;
  chunks?: number;
  recordsRestored?: number;
  bytesRestored?: number;
  queuedBytes?: number;
}

const TOTALS: Record<RunKind, Array<[keyof RunTotals, string, string]>> = {
  backup: [
    ["recordsRead", "records_read_total", "Records read from Kafka"],
    ["bytesRead", "bytes_read_total", "Payload bytes (keys and values) read from Kafka"],
    ["recordsStored", "records_stored_total", "Records durably in the archive"],
    ["bytesStored", "bytes_stored_total", "Bytes of chunk files stored"],
    ["chunks", "chunks_stored_total", "Chunks stored"],
  ],
  restore: [
    ["recordsRestored", "records_restored_total", "Records produced and committed to the target"],
    ["bytesRestored", "bytes_restored_total", "Payload bytes (keys and values) restored"],
    ["chunks", "chunks_restored_total", "Chunks restored"],
  ],
};

export class RunMetrics {
  readonly registry = new Registry();
  readonly #counters = new Map<keyof RunTotals, { counter: Counter; last: number }>();
  readonly #queued: Gauge | null;
  readonly #lag: Gauge;
  readonly #errors: Counter;
  readonly #lastSuccess: Gauge;
  /** False once the run failed: /healthz answers 503. */
  healthy = true;
  #succeededAt: number | null = null;

  /** The job file's name without directory and extension: the `job_file` label. */
  readonly jobName: string;

  constructor(readonly kind: RunKind, jobFile: string) {
    const prefix = `kafka_${kind}_`;
    this.jobName = jobFile.replace(/^.*\//, "").replace(/\.json$/, "");
    this.registry.setDefaultLabels({ job_file: this.jobName });
    const registers = [this.registry];
    for (const [field, name, help] of TOTALS[kind]) {
      this.#counters.set(field, {
        counter: new Counter({ name: prefix + name, help, registers }),
        last: 0,
      });
    }
    this.#queued = kind === "backup"
      ? new Gauge({
        name: `${prefix}upload_queue_bytes`,
        help: "Sealed chunk bytes waiting to be stored",
        registers,
      })
      : null;
    this.#lag = new Gauge({
      name: `${prefix}partition_lag_records`,
      help: kind === "backup"
        ? "Records of the partition not yet backed up (its end offset minus the backup's committed offset)"
        : "Records of the source partition not yet restored (planned from the archive's index)",
      labelNames: ["topic", "partition"],
      registers,
    });
    this.#errors = new Counter({
      name: `${prefix}errors_total`,
      help: "Runs that ended in an error, by exit code (docs/operations.md)",
      labelNames: ["exit_code"],
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: `${prefix}last_success_timestamp_seconds`,
      help:
        `When the last ${kind} succeeded (a once run's end; a continuous backup's last restoration point)`,
      registers,
    });
  }

  /** Moves the counters to the engine's cumulative `totals`. */
  update(totals: RunTotals): void {
    for (const [field, entry] of this.#counters) {
      const value = totals[field];
      if (value === undefined || value <= entry.last) continue;
      entry.counter.inc(value - entry.last);
      entry.last = value;
    }
    if (this.#queued && totals.queuedBytes !== undefined) this.#queued.set(totals.queuedBytes);
  }

  partitionLag(topic: string, partition: number, records: number): void {
    this.#lag.set({ topic, partition: String(partition) }, Math.max(0, records));
  }

  succeeded(at = Date.now()): void {
    this.#succeededAt = at;
    this.#lastSuccess.set(at / 1000);
  }

  failed(exitCode: number): void {
    this.healthy = false;
    this.#errors.inc({ exit_code: String(exitCode) });
  }

  /** The last success time (epoch ms) this run set, or null when it set none. */
  lastSuccess(): number | null {
    return this.#succeededAt;
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
