/**
 * Step 6: how a local backup scales with NUMBER_OF_KAFKA_THREADS and with the topic's
 * partition count (topics of a quarter of the dataset), and whether its peak RSS stays
 * flat as the topic grows 4x.
 */
import { type BenchContext, brief, produceTarget, say } from "./context.ts";
import type { BenchResults, ScalingPoint } from "./figures.ts";
import { createTopic } from "./kafka.ts";
import { kcatProduce } from "./kcat.ts";
import { KEY_BYTES } from "./options.ts";
import { runBackup } from "./tool.ts";

const THREADS = [1, 2, 4];
const PARTITIONS = [1, 6, 24];

async function point(
  ctx: BenchContext,
  topic: string,
  partitions: number,
  threads: number,
  records: number,
): Promise<ScalingPoint> {
  const name = `scale-${partitions}p-${threads}t-${ctx.runId}`;
  const dir = `${ctx.work}/${name}`;
  say(`backup ${topic} (${partitions} partitions) with ${threads} thread(s)`);
  const run = await runBackup(
    name,
    topic,
    { kind: "local", dir },
    { threads, recordsPerChunk: ctx.options.recordsPerChunk },
    ctx.tool,
  );
  // Only the rate matters here: free the disk for the next point.
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const payloadBytes = records * (KEY_BYTES + ctx.options.recordSize);
  if (run.error) say(`FAILED: ${brief(run.error)}`);
  return {
    threads,
    partitions,
    records,
    payloadBytes,
    recordsPerSecond: run.error ? null : records / run.wallSeconds,
    mibPerSecond: run.error ? null : payloadBytes / (1 << 20) / run.wallSeconds,
    peakRssBytes: run.peakRssBytes || null,
    ...(run.error ? { error: run.error } : {}),
  };
}

/** Runs both series; `mainRss` is the peak RSS of the main local backup (the full topic). */
export async function scaling(
  ctx: BenchContext,
  mainRss: number | null,
): Promise<NonNullable<BenchResults["scaling"]>> {
  const records = Math.max(1, Math.floor(ctx.records / 4));
  const { partitions: mainPartitions, threads: mainThreads, recordSize } = ctx.options;
  const counts = [...new Set([...PARTITIONS, mainPartitions])].sort((a, b) => a - b);
  const topics = new Map<number, string>();
  for (const partitions of counts) {
    const topic = `bench-scale-${partitions}p-${ctx.runId}`;
    await createTopic(ctx.bootstrap, topic, partitions);
    say(`kcat produce ${records} records into ${topic}`);
    await kcatProduce(produceTarget(ctx, topic), ctx.datasetFile, recordSize, records);
    topics.set(partitions, topic);
  }
  const threadPoints: ScalingPoint[] = [];
  for (const threads of THREADS) {
    threadPoints.push(
      await point(ctx, topics.get(mainPartitions)!, mainPartitions, threads, records),
    );
  }
  // The point with the main run's threads and partitions is already measured: reuse it.
  const same = threadPoints.find((p) => p.threads === mainThreads);
  const partitionPoints: ScalingPoint[] = [];
  for (const partitions of counts) {
    partitionPoints.push(
      partitions === mainPartitions && same
        ? same
        : await point(ctx, topics.get(partitions)!, partitions, mainThreads, records),
    );
  }
  const small = same ?? partitionPoints.find((p) => p.partitions === mainPartitions)!;
  return {
    payloadBytes: records * (KEY_BYTES + recordSize),
    threads: threadPoints,
    partitions: partitionPoints,
    rss: [
      { payloadBytes: small.payloadBytes, peakRssBytes: small.peakRssBytes },
      { payloadBytes: ctx.payloadBytes, peakRssBytes: mainRss },
    ],
  };
}
