/** The text form of restore.ts --dry-run. */
import { formatTable } from "../util/table.ts";
import type { DryRunPlan } from "./engine.ts";
import { formatDryRunGroups } from "./dry_run_groups.ts";

/** The partition table, then the strategy, point, group snapshot and latest-per-key totals. */
export function formatDryRun(plan: DryRunPlan): string {
  const latest = plan.partitions.some((p) => p.latestPerKey);
  const header = ["SOURCE", "PARTITION", "TARGET", "CHUNKS", "RECORDS", "RESUME AT"];
  const table = formatTable(
    latest ? [...header, "IN RANGE", "LATEST PER KEY"] : header,
    plan.partitions.map((p) => {
      const row = [p.source, p.partition, p.target, p.chunks, p.records, p.resumeAt ?? "start"];
      return p.latestPerKey ? [...row, p.latestPerKey.inRange, p.latestPerKey.kept] : row;
    }),
  );
  const lines = [table, `strategy: ${plan.strategy}`];
  if (plan.point) lines.push(`restoration point: ${plan.point}`);
  if (plan.groupSnapshot) {
    lines.push(`group snapshot: ${plan.groupSnapshot}`, ...formatDryRunGroups(plan.groups));
  }
  if (latest) {
    const sum = (f: (l: { inRange: number; kept: number }) => number) =>
      plan.partitions.reduce((n, p) => n + (p.latestPerKey ? f(p.latestPerKey) : 0), 0);
    lines.push(
      `latest per key: writes ${sum((l) => l.kept)} records, a full restore of the same range ` +
        `${sum((l) => l.inRange)}`,
    );
  }
  return lines.join("\n");
}
