/**
 * The benchmark (run it with `deno task bench`, which starts the services first): kcat
 * ceilings, backup and restore through local disk and S3, scaling series, on one dataset.
 * Prints a report and writes it as JSON. It measures; it asserts nothing.
 */
import { type BenchContext, requireEnv, say } from "./context.ts";
import { recordsFor, writeDataset } from "./dataset.ts";
import type { BenchResults } from "./figures.ts";
import { describeMachine } from "./machine.ts";
import { BENCH_USAGE, KEY_BYTES, parseOptions } from "./options.ts";
import { profileRuns } from "./profile.ts";
import { formatReport, writeResults } from "./report.ts";
import { scaling } from "./scaling.ts";
import { backupAndRestore, ceilingRatios, kcatCeilings } from "./steps.ts";

const repo = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

async function main(): Promise<number> {
  const options = parseOptions(Deno.args, repo);
  if (!options) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const runId = Date.now().toString(36);
  const work = `${options.work}/run-${runId}`;
  await Deno.mkdir(`${work}/jobs`, { recursive: true });
  const records = recordsFor(options.total, options.recordSize);
  const ctx: BenchContext = {
    options,
    bootstrap: requireEnv("KB_TEST_BOOTSTRAP"),
    s3Endpoint: requireEnv("KB_TEST_S3_ENDPOINT"),
    runId,
    work,
    datasetFile: `${work}/dataset.txt`,
    records,
    payloadBytes: records * (KEY_BYTES + options.recordSize),
    tool: {
      bootstrap: requireEnv("KB_TEST_BOOTSTRAP"),
      jobDir: `${work}/jobs`,
      timeoutSeconds: options.stepTimeoutSeconds,
    },
  };
  try {
    say(`writing ${records} records to ${ctx.datasetFile}`);
    await writeDataset(ctx.datasetFile, records, options);
    const topic = `bench-${runId}`;
    const figures = await kcatCeilings(ctx, topic);
    const main = await backupAndRestore(ctx, topic);
    figures.push(...main.figures);
    const mainRss = main.figures.find((f) => f.step.startsWith("backup local"))?.peakRssBytes;
    const results: BenchResults = {
      startedAt,
      machine: await describeMachine(repo),
      options: { ...options },
      dataset: {
        records,
        recordSize: options.recordSize,
        keySize: KEY_BYTES,
        payloadBytes: ctx.payloadBytes,
      },
      figures,
      ratios: ceilingRatios(figures),
      scaling: options.skipScaling ? null : await scaling(ctx, mainRss ?? null),
    };
    const profiles = options.profile ? await profileRuns(ctx, main.archives, options.profile) : [];
    console.log(formatReport(results));
    say(`results: ${await writeResults(options.out, results)}`);
    for (const dir of profiles) {
      say(`profile: deno run -A bench/cpuprofile_summary.ts ${dir}`);
    }
    return 0;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

Deno.exit(await main());
