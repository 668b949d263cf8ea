/** Command line of backup.ts: flags, then the job file. */
import { parseArgs } from "node:util";
import { loadBackupJob } from "../config/backup_job.ts";
import { ConfigError, ExitCode, UsageError } from "../errors.ts";
import { createLogger, setLogLevel } from "../log.ts";
import { print } from "../cli/print.ts";
import { runBackup } from "./engine.ts";
import { withMetrics } from "../metrics/with_metrics.ts";
import { formatSummary } from "./progress.ts";
import { listTopics } from "./list_topics.ts";
import { formatPruneReport, runPrune } from "./prune_command.ts";

export const BACKUP_USAGE = `Usage: backup.ts [options] <backup.json>

Backs up the Kafka topics a job file names into checksummed chunk archives.

Options:
  --once              back up to the end offsets captured at start, then exit (RUN_MODE "once")
  --continuous        keep backing up until SIGTERM/SIGINT (RUN_MODE "continuous", the default)
  --log-level LEVEL   DEBUG, INFO, WARNING, ERROR or 10/20/30/40 (overrides LOG_LEVEL)
  --list-topics       print the cluster's topics with partitions and end offsets, then exit
  --prune             apply RETENTION_MS / RETENTION_BYTES to the archive once, print what
                      was removed, then exit (needs storage only, not Kafka)
  --dry-run           with --prune: print what would be removed, remove nothing
  --json              print --list-topics, --prune and the closing summary as JSON
  -h, --help          print this help`;

export async function backupMain(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        once: { type: "boolean" },
        continuous: { type: "boolean" },
        "log-level": { type: "string" },
        "list-topics": { type: "boolean" },
        prune: { type: "boolean" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, BACKUP_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    print(BACKUP_USAGE);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`Expected exactly one job file, got ${positionals.length}`, BACKUP_USAGE);
  }
  if (values.once && values.continuous) {
    throw new ConfigError("--once and --continuous exclude each other");
  }
  if (values["dry-run"] && !values.prune) throw new ConfigError("--dry-run goes with --prune");
  const job = await loadBackupJob(positionals[0], {
    runMode: values.once ? "once" : values.continuous ? "continuous" : undefined,
    logLevel: values["log-level"],
  });
  setLogLevel(job.logLevel);
  const logger = createLogger("MainThread");
  if (values["list-topics"]) {
    print(await listTopics(job, logger, values.json === true));
    return ExitCode.ok;
  }
  if (values.prune) {
    const report = await runPrune(job, logger, values["dry-run"] === true);
    print(values.json ? JSON.stringify(report) : formatPruneReport(report));
    return ExitCode.ok;
  }
  const summary = await withMetrics(
    "backup",
    job,
    logger,
    (metrics) => runBackup(job, logger, metrics),
  );
  print(values.json ? JSON.stringify(summary) : formatSummary(summary));
  return ExitCode.ok;
}
