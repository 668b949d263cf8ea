/**
 * --profile: backup.ts and restore.ts once more each under `deno run --cpu-prof`, from the
 * same topic and archive, so bench/cpuprofile_summary.ts can show where their time goes.
 * Deno writes one .cpuprofile per isolate: the main thread and every Worker.
 */
import { type BenchContext, brief, say } from "./context.ts";
import type { Archives } from "./steps.ts";
import { runBackup, runRestore } from "./tool.ts";

/** Writes profiles into `<dir>/backup` and `<dir>/restore`; returns those two directories. */
export async function profileRuns(
  ctx: BenchContext,
  archives: Archives,
  dir: string,
): Promise<string[]> {
  const backupDir = `${dir}/backup`;
  const restoreDir = `${dir}/restore`;
  await Deno.mkdir(backupDir, { recursive: true });
  await Deno.mkdir(restoreDir, { recursive: true });
  const { threads, recordsPerChunk, recordsPerTransaction } = ctx.options;
  say(`profiling a local backup of ${archives.topic} into ${backupDir}`);
  const backup = await runBackup(
    `profile-backup-${ctx.runId}`,
    archives.topic,
    { kind: "local", dir: `${ctx.work}/archive-profile` },
    { threads, recordsPerChunk },
    { ...ctx.tool, profileDir: backupDir },
  );
  if (backup.error) say(`FAILED: ${brief(backup.error)}`);
  say(`profiling a local restore into ${restoreDir}`);
  const restore = await runRestore(
    `profile-restore-${ctx.runId}`,
    archives.topic,
    `${archives.topic}-restored-profile`,
    archives.local,
    { threads, recordsPerTransaction },
    { ...ctx.tool, profileDir: restoreDir },
  );
  if (restore.error) say(`FAILED: ${brief(restore.error)}`);
  return [backupDir, restoreDir];
}
