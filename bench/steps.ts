/**
 * The main steps, all on the same dataset: the kcat ceilings, then backup and restore
 * through local disk and S3, each timed with its peak RSS.
 */
import { type BenchContext, brief, produceTarget, say } from "./context.ts";
import { type BenchResults, failedFigure, type Figure, figureOf } from "./figures.ts";
import { createTopic, topicRecords } from "./kafka.ts";
import { kcatConsume, kcatProduce } from "./kcat.ts";
import { type BenchStorage, chunkBytes, createBucket } from "./storage.ts";
import { runBackup, runRestore, type ToolRun } from "./tool.ts";

/** The archives the backups made, for the restores (and the profile) to read. */
export interface Archives {
  topic: string;
  local: BenchStorage;
  s3: BenchStorage | null;
}

function toolFigure(step: string, run: ToolRun, ctx: BenchContext): Figure {
  const reported = Number(run.summary?.records);
  // A count other than the topic's is a bug (records lost or stored twice), not a figure.
  const error = run.error ??
    (reported === ctx.records
      ? null
      : `reported ${reported} records, the topic has ${ctx.records}`);
  if (error) {
    say(`FAILED: ${brief(error)}`);
    // The wall time and peak RSS up to the failure still say something (a hang, a leak).
    return {
      ...failedFigure(step, error, ctx.records, ctx.payloadBytes),
      wallSeconds: run.wallSeconds,
      peakRssBytes: run.peakRssBytes || null,
    };
  }
  const figure = figureOf(step, run, ctx.records, ctx.payloadBytes);
  figure.toolSeconds = Number(run.summary?.durationSeconds);
  figure.toolRecords = reported;
  if (run.summary?.bytesConsumed !== undefined) {
    figure.readBytes = Number(run.summary.bytesConsumed);
  }
  return figure;
}

/** Steps 1 and 2: the dataset into a fresh topic with kcat, then kcat reading it back. */
export async function kcatCeilings(ctx: BenchContext, topic: string): Promise<Figure[]> {
  await createTopic(ctx.bootstrap, topic, ctx.options.partitions);
  say(`kcat produce into ${topic}`);
  const produced = await kcatProduce(
    produceTarget(ctx, topic),
    ctx.datasetFile,
    ctx.options.recordSize,
  );
  const inTopic = await topicRecords(ctx.bootstrap, topic);
  if (inTopic !== ctx.records) say(`NOTE: ${topic} holds ${inTopic} records, not ${ctx.records}`);
  say("kcat consume to /dev/null");
  const consumed = await kcatConsume(ctx.bootstrap, topic, ctx.options.stepTimeoutSeconds);
  return [
    figureOf("kcat produce (ceiling)", produced, ctx.records, ctx.payloadBytes),
    figureOf("kcat consume (ceiling)", consumed, ctx.records, ctx.payloadBytes),
  ];
}

async function backupStep(
  ctx: BenchContext,
  topic: string,
  storage: BenchStorage,
): Promise<Figure> {
  const { threads, recordsPerChunk } = ctx.options;
  say(`backup ${topic} to ${storage.kind} with ${threads} thread(s)`);
  const run = await runBackup(
    `backup-${storage.kind}-${ctx.runId}`,
    topic,
    storage,
    { threads, recordsPerChunk },
    ctx.tool,
  );
  const figure = toolFigure(`backup ${storage.kind} (${threads} threads)`, run, ctx);
  if (!figure.error) {
    figure.storedBytes = await chunkBytes(storage);
    figure.compressionRatio = ctx.payloadBytes / figure.storedBytes;
  }
  return figure;
}

async function restoreStep(
  ctx: BenchContext,
  topic: string,
  storage: BenchStorage,
): Promise<Figure> {
  const { threads, recordsPerTransaction } = ctx.options;
  const target = `${topic}-restored-${storage.kind}`;
  say(`restore ${topic} from ${storage.kind} into ${target}`);
  const run = await runRestore(
    `restore-${storage.kind}-${ctx.runId}`,
    topic,
    target,
    storage,
    { threads, recordsPerTransaction },
    ctx.tool,
  );
  return toolFigure(`restore ${storage.kind} (${threads} threads)`, run, ctx);
}

/** Steps 3 and 4: backups to local disk and S3, then restores from each into fresh topics. */
export async function backupAndRestore(
  ctx: BenchContext,
  topic: string,
): Promise<{ figures: Figure[]; archives: Archives }> {
  const local: BenchStorage = { kind: "local", dir: `${ctx.work}/archive-local` };
  const stores: BenchStorage[] = [local];
  if (!ctx.options.skipS3) {
    const bucket = `bench-${ctx.runId}`;
    await createBucket(ctx.s3Endpoint, bucket);
    stores.push({ kind: "s3", dir: `${ctx.work}/s3-staging`, bucket, endpoint: ctx.s3Endpoint });
  }
  const backups: Figure[] = [];
  for (const storage of stores) backups.push(await backupStep(ctx, topic, storage));
  const restores: Figure[] = [];
  for (const [i, storage] of stores.entries()) {
    const step = `restore ${storage.kind} (${ctx.options.threads} threads)`;
    restores.push(
      backups[i].error
        ? failedFigure(step, "skipped: its backup failed", ctx.records, ctx.payloadBytes)
        : await restoreStep(ctx, topic, storage),
    );
  }
  const s3 = stores[1] && !backups[1].error ? stores[1] : null;
  return { figures: [...backups, ...restores], archives: { topic, local, s3 } };
}

/** Step 5: our rates as a fraction of kcat's (backup vs consume, restore vs produce). */
export function ceilingRatios(figures: Figure[]): BenchResults["ratios"] {
  const rate = (prefix: string) =>
    figures.find((f) => f.step.startsWith(prefix))?.recordsPerSecond ?? null;
  const produce = rate("kcat produce");
  const consume = rate("kcat consume");
  const of = (ours: number | null, ceiling: number | null) =>
    ours === null || ceiling === null ? null : ours / ceiling;
  return {
    backupLocalOfConsume: of(rate("backup local"), consume),
    backupS3OfConsume: of(rate("backup s3"), consume),
    restoreLocalOfProduce: of(rate("restore local"), produce),
    restoreS3OfProduce: of(rate("restore s3"), produce),
  };
}
