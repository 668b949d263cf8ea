/** Command line of bench.ts: flags with defaults, sizes such as "256MiB" or "1GiB". */
import { parseArgs } from "node:util";

/** What one benchmark run measures, after parsing and defaults. */
export interface BenchOptions {
  partitions: number;
  /** Value bytes of each record; keys are always KEY_BYTES long. */
  recordSize: number;
  /** Payload bytes (keys + values) of the main dataset. */
  total: number;
  /** Fraction of each value that is repeated text; the rest is random bytes. */
  compressibility: number;
  /** Compression of the batches kcat produces ("none" keeps the backup's decode cost out). */
  produceCompression: "none" | "lz4";
  /** NUMBER_OF_MESSAGE_PER_BACKUP_FILE; null: the job key is left out (its default). */
  recordsPerChunk: number | null;
  /** RECORDS_PER_TRANSACTION; null: the job key is left out (its default). */
  recordsPerTransaction: number | null;
  threads: number;
  /** Longest a single step may run before it is stopped and reported as failed. */
  stepTimeoutSeconds: number;
  skipScaling: boolean;
  skipS3: boolean;
  out: string;
  work: string;
  /** When set, backup.ts and restore.ts run once more each under --cpu-prof into this dir. */
  profile: string | null;
}

/** Bytes of every key: "k" and a zero-padded record number. */
export const KEY_BYTES = 16;

export const BENCH_USAGE = `Usage: deno task bench [options]

  --partitions N            partitions of the main topic (default 6)
  --record-size BYTES       value bytes per record; keys are ${KEY_BYTES} bytes (default 1024)
  --total SIZE              payload of the main topic, e.g. 256MiB, 1GiB (default 1GiB)
  --compressibility F       0..1: fraction of each value that is repeated text (default 0.5)
  --produce-compression C   none or lz4: batch compression kcat produces with (default none)
  --records-per-chunk N     NUMBER_OF_MESSAGE_PER_BACKUP_FILE (default: the job key's default)
  --records-per-transaction N  RECORDS_PER_TRANSACTION of the restores (default: the key's)
  --threads N               NUMBER_OF_KAFKA_THREADS of the main runs (default 2)
  --step-timeout SECONDS    stop a step that runs longer and report it failed (default 600)
  --skip-scaling            skip the thread, partition and topic-size series
  --skip-s3                 skip the S3 backup and restore
  --out DIR                 where the JSON results go (default bench/results)
  --work DIR                scratch space for the dataset and archives (default bench/tmp)
  --profile DIR             also run backup.ts and restore.ts under --cpu-prof into DIR
  -h, --help                print this help`;

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

/** "256MiB" -> 268435456. Binary units for KiB/MiB/GiB and bare K/M/G, decimal for KB/MB/GB. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new Error(`not a size: "${text}" (e.g. 256MiB, 1GiB)`);
  return Math.round(Number(match[1]) * unit);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const optionalInt = (name: string, text: string | undefined): number | null =>
  text === undefined ? null : positiveInt(name, text);

/** Parses the flags; throws with a readable message on a bad value. Returns null for --help. */
export function parseOptions(args: string[], repo: string): BenchOptions | null {
  const { values } = parseArgs({
    args,
    options: {
      partitions: { type: "string", default: "6" },
      "record-size": { type: "string", default: "1024" },
      total: { type: "string", default: "1GiB" },
      compressibility: { type: "string", default: "0.5" },
      "produce-compression": { type: "string", default: "none" },
      "records-per-chunk": { type: "string" },
      "records-per-transaction": { type: "string" },
      threads: { type: "string", default: "2" },
      "step-timeout": { type: "string", default: "600" },
      "skip-scaling": { type: "boolean", default: false },
      "skip-s3": { type: "boolean", default: false },
      out: { type: "string", default: `${repo}/bench/results` },
      work: { type: "string", default: `${repo}/bench/tmp` },
      profile: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return null;
  const compressibility = Number(values.compressibility);
  if (!(compressibility >= 0 && compressibility <= 1)) {
    throw new Error("--compressibility must be between 0 and 1");
  }
  const produceCompression = values["produce-compression"];
  if (produceCompression !== "none" && produceCompression !== "lz4") {
    throw new Error("--produce-compression must be none or lz4");
  }
  return {
    partitions: positiveInt("partitions", values.partitions),
    recordSize: positiveInt("record-size", values["record-size"]),
    total: parseSize(values.total),
    compressibility,
    produceCompression,
    recordsPerChunk: optionalInt("records-per-chunk", values["records-per-chunk"]),
    recordsPerTransaction: optionalInt(
      "records-per-transaction",
      values["records-per-transaction"],
    ),
    threads: positiveInt("threads", values.threads),
    stepTimeoutSeconds: positiveInt("step-timeout", values["step-timeout"]),
    skipScaling: values["skip-scaling"],
    skipS3: values["skip-s3"],
    out: values.out,
    work: values.work,
    profile: values.profile ?? null,
  };
}
