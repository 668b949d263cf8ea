/** Command line of restore.ts: flags, then the job file. */
import { parseArgs } from "node:util";
import { loadRestoreJob } from "../config/restore_job.ts";
import { ConfigError, ExitCode, IntegrityError, UsageError } from "../errors.ts";
import { createLogger, setLogLevel } from "../log.ts";
import { print } from "../cli/print.ts";
import { openStorage } from "../storage/open.ts";
import { dryRun, runRestore } from "./engine.ts";
import { formatInventory, inventory, missingKeyIds, verifyArchive } from "./inspect.ts";
import { formatPoints, listPoints } from "./points.ts";
import { withMetrics } from "../metrics/with_metrics.ts";
import { formatDryRun } from "./dry_run_format.ts";

export const RESTORE_USAGE = `Usage: restore.ts [options] <restore.json>

Verifies a backup's chunks and produces their records back into Kafka, exactly once.

Options:
  --once              restore what the archive holds, then exit (RUN_MODE "once")
  --follow            keep restoring new chunks every RETRY_SECONDS (RUN_MODE "follow", the default)
  --log-level LEVEL   DEBUG, INFO, WARNING, ERROR or 10/20/30/40 (overrides LOG_LEVEL)
  --list              print the backup's inventory (topics, partitions, offsets, times, chunks, bytes)
  --list-points       print the backup's restoration points (id, time, age, topics, records)
  --verify            check every chunk's sha256, decrypt (DECRYPTION_KEYS) and decode it, and every
                      group snapshot, topic config and restoration point; exit ${ExitCode.integrity} if any is bad
  --dry-run           print what would be restored where, and each group's offsets, without producing
  --json              print --list, --list-points, --verify, --dry-run and the summary as JSON
  -h, --help          print this help`;

export async function restoreMain(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        once: { type: "boolean" },
        follow: { type: "boolean" },
        "log-level": { type: "string" },
        list: { type: "boolean" },
        "list-points": { type: "boolean" },
        verify: { type: "boolean" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, RESTORE_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    print(RESTORE_USAGE);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`Expected exactly one job file, got ${positionals.length}`, RESTORE_USAGE);
  }
  if (values.once && values.follow) throw new ConfigError("--once and --follow exclude each other");
  const job = await loadRestoreJob(positionals[0], {
    runMode: values.once ? "once" : values.follow ? "follow" : undefined,
    logLevel: values["log-level"],
  });
  setLogLevel(job.logLevel);
  const logger = createLogger("MainThread");
  const json = values.json === true;
  const sources = job.topics.map((t) => t.source);

  if (values.list || values.verify || values["list-points"]) {
    const backend = await openStorage(job.storage, logger, {
      maxRetryWaitSeconds: job.retryDownloadSeconds,
    });
    try {
      if (values["list-points"]) {
        const rows = await listPoints(backend, sources);
        print(json ? JSON.stringify({ points: rows }) : formatPoints(rows));
        return ExitCode.ok;
      }
      if (values.list) {
        const rows = await inventory(backend, sources);
        const missing = missingKeyIds(rows, job.decryptionKeys);
        print(
          json
            ? JSON.stringify({
              partitions: rows,
              ...(missing.length ? { missingKeyIds: missing } : {}),
            })
            : formatInventory(rows, job.decryptionKeys),
        );
        return ExitCode.ok;
      }
      const report = await verifyArchive(backend, sources, job.decryptionKeys);
      const unopened = report.checksumOnly
        ? [
          `  ${report.checksumOnly} encrypted chunk(s) and object(s) checked by sha256 only: ` +
          "give DECRYPTION_KEYS to check their contents and every authentication tag",
        ]
        : [];
      print(
        json ? JSON.stringify(report) : [
          `Verified ${report.chunks} chunks, ${report.records} records, ${report.metadataObjects} ` +
          `metadata objects: ${report.problems.length} problem(s)`,
          ...unopened,
          ...report.problems.map((p) => `  ${p}`),
        ].join("\n"),
      );
      if (report.problems.length > 0) {
        throw new IntegrityError(`Verification failed: ${report.problems[0]}`);
      }
      return ExitCode.ok;
    } finally {
      await backend.close();
    }
  }
  if (values["dry-run"]) {
    const plan = await dryRun(job, logger);
    print(json ? JSON.stringify(plan) : formatDryRun(plan));
    return ExitCode.ok;
  }
  const summary = await withMetrics(
    "restore",
    job,
    logger,
    (metrics) => runRestore(job, logger, metrics),
  );
  print(
    json ? JSON.stringify(summary) : [
      `Restore finished: ${summary.topics.map((t) => `${t.source} -> ${t.target}`).join(", ")}`,
      `  partitions     ${summary.partitions}`,
      `  records        ${summary.records}`,
      `  bytes          ${summary.bytes}`,
      `  chunks         ${summary.chunks}`,
      `  duration       ${summary.durationSeconds.toFixed(1)} s`,
      `  throughput     ${summary.mbPerSecond.toFixed(1)} MB/s`,
    ].join("\n"),
  );
  return ExitCode.ok;
}
