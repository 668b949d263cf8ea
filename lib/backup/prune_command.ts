/**
 * backup.ts --prune [--dry-run]: applies the job's retention once to the archive and
 * prints what it removed (or would remove), per partition. It needs storage only, not
 * Kafka: the topics are the archived ones the job's topic keys select.
 */
import type { BackupJob } from "../config/backup_job.ts";
import { retentionIsOn } from "../config/retention_config.ts";
import { ConfigError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { openStorage } from "../storage/open.ts";
import { ownKeys } from "../config/encryption_config.ts";
import { formatTable } from "../util/table.ts";
import { prune, type PruneReport } from "./prune.ts";

/** Whether the job's TOPIC_NAMES, TOPIC_INCLUDE_REGEX and TOPIC_EXCLUDE_REGEX select an archived topic. */
export const selectsTopic = (job: BackupJob) => (topic: string): boolean =>
  (job.topicNames.includes(topic) || job.topicIncludeRegex?.test(topic) === true) &&
  job.topicExcludeRegex?.test(topic) !== true;

export async function runPrune(
  job: BackupJob,
  logger: Logger,
  dryRun: boolean,
): Promise<PruneReport> {
  if (!retentionIsOn(job.retention.policy)) {
    throw new ConfigError(
      `--prune: ${job.file} sets no retention (RETENTION_MS or RETENTION_BYTES): nothing to apply`,
    );
  }
  const storage = await openStorage(job.storage, logger, {
    maxRetryWaitSeconds: job.retryUploadSeconds,
  });
  try {
    return await prune(storage, selectsTopic(job), job.retention.policy, logger, {
      dryRun,
      keys: ownKeys(job.encryption),
    });
  } finally {
    await storage.close().catch(() => {});
  }
}

/** The report as a table, then the metadata objects removed. */
export function formatPruneReport(report: PruneReport): string {
  const verb = report.dryRun ? "would remove" : "removed";
  if (report.partitions.length === 0 && report.points.length === 0) {
    return `retention ${verb} nothing`;
  }
  const table = formatTable(
    ["TOPIC", "PARTITION", "CHUNKS", "RECORDS", "BYTES", "START"],
    report.partitions.map((p) => [
      p.topic,
      p.partition,
      p.chunks,
      p.records,
      p.bytes,
      `${p.previousStart} -> ${p.start}`,
    ]),
  );
  const total = report.partitions.reduce(
    (t, p) => ({
      chunks: t.chunks + p.chunks,
      records: t.records + p.records,
      bytes: t.bytes + p.bytes,
    }),
    { chunks: 0, records: 0, bytes: 0 },
  );
  return [
    table,
    `retention ${verb} ${total.chunks} chunk(s), ${total.records} records, ${total.bytes} bytes, ` +
    `${report.points.length} restoration point(s) and ${report.groupSnapshots.length} group snapshot(s)`,
  ].join("\n");
}
