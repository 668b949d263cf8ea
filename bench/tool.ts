/**
 * Runs backup.ts and restore.ts the way the README says an operator does (`deno run` with
 * the documented permissions, `--once`), with `--json` for their closing summary.
 */
import { failureOf, measure, type Measured } from "./measure.ts";
import { type BenchStorage, storageKeys } from "./storage.ts";

const repo = new URL("../", import.meta.url).pathname;

/** The permission flags the README documents for both entry scripts. */
export const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
];

/** A run of an entry script and the summary it printed (records, bytes, durationSeconds...). */
export interface ToolRun extends Measured {
  /** Null when the run failed or timed out; `error` says why. */
  summary: Record<string, unknown> | null;
  error: string | null;
}

/** Settings shared by every backup and restore of one benchmark run. */
export interface ToolSettings {
  bootstrap: string;
  /** Directory for job files. */
  jobDir: string;
  /** When set, the script runs under `--cpu-prof` writing into this directory. */
  profileDir?: string;
  timeoutSeconds: number;
}

async function runScript(
  script: "backup.ts" | "restore.ts",
  name: string,
  job: Record<string, unknown>,
  settings: ToolSettings,
): Promise<ToolRun> {
  const jobFile = `${settings.jobDir}/${name}.json`;
  await Deno.writeTextFile(jobFile, JSON.stringify(job, null, 2));
  // Profiling goes through profile_entry.ts, which makes Deno keep the Workers' profiles.
  const entry = settings.profileDir
    ? ["--cpu-prof", `--cpu-prof-dir=${settings.profileDir}`, `${repo}bench/profile_entry.ts`]
    : [`${repo}${script}`];
  const result = await measure(
    Deno.execPath(),
    ["run", ...PERMISSIONS, ...entry, "--once", "--json", jobFile],
    {
      cwd: repo,
      timeoutSeconds: settings.timeoutSeconds,
      env: settings.profileDir ? { BENCH_PROFILE_SCRIPT: `${repo}${script}` } : undefined,
    },
  );
  const error = failureOf(`${script} ${name}`, result);
  if (error) return { ...result, summary: null, error };
  const lastLine = result.stdout.trim().split("\n").at(-1) ?? "{}";
  return { ...result, summary: JSON.parse(lastLine), error: null };
}

/** One backup of `topic` with `threads` consumers into `storage`. */
export function runBackup(
  name: string,
  topic: string,
  storage: BenchStorage,
  options: { threads: number; recordsPerChunk: number | null },
  settings: ToolSettings,
): Promise<ToolRun> {
  return runScript("backup.ts", name, {
    BOOTSTRAP_SERVERS: settings.bootstrap,
    TOPIC_NAMES: [topic],
    GROUP_ID: `${name}-group`,
    ...storageKeys(storage),
    NUMBER_OF_KAFKA_THREADS: options.threads,
    ...(options.recordsPerChunk === null
      ? {}
      : { NUMBER_OF_MESSAGE_PER_BACKUP_FILE: options.recordsPerChunk }),
    RUN_MODE: "once",
  }, settings);
}

/** One restore of the archived `source` topic into the fresh topic `target` (created by it). */
export function runRestore(
  name: string,
  source: string,
  target: string,
  storage: BenchStorage,
  options: { threads: number; recordsPerTransaction: number | null },
  settings: ToolSettings,
): Promise<ToolRun> {
  return runScript("restore.ts", name, {
    BOOTSTRAP_SERVERS: settings.bootstrap,
    BACKUP_TOPIC_NAME: source,
    RESTORE_TOPIC_NAME: target,
    ...storageKeys(storage),
    CREATE_TOPIC: true,
    RESTORE_PARTITION_STRATEGY: "same",
    NUMBER_OF_KAFKA_THREADS: options.threads,
    ...(options.recordsPerTransaction === null
      ? {}
      : { RECORDS_PER_TRANSACTION: options.recordsPerTransaction }),
    RUN_MODE: "once",
  }, settings);
}
