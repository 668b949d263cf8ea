/** Prints the results as aligned plain-text tables and writes them as JSON. */
import type { BenchResults, Figure, ScalingPoint } from "./figures.ts";

const int = (n: number) => Math.round(n).toLocaleString("en");
const mib = (bytes: number) => (bytes / (1 << 20)).toFixed(1);
const pct = (ratio: number | null) => ratio === null ? "-" : `${(ratio * 100).toFixed(0)}%`;

/** Aligns columns: the first left, the others right. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? "").length)));
  return all.map((row) =>
    row.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  ")
      .trimEnd()
  ).join("\n");
}

const fixed = (n: number | null | undefined, digits = 1) => n == null ? "-" : n.toFixed(digits);
/** The first line of a failure: the rest (stderr) is in the JSON. */
const reason = (error: string) => error.split("\n")[0];

function figureRows(figures: Figure[]): string[][] {
  return figures.map((f) => [
    f.error ? `${f.step} FAILED` : f.step,
    fixed(f.wallSeconds),
    fixed(f.toolSeconds),
    f.recordsPerSecond === null ? "-" : int(f.recordsPerSecond),
    fixed(f.mibPerSecond),
    f.peakRssBytes === null ? "-" : mib(f.peakRssBytes),
    f.readBytes === undefined ? "-" : `${mib(f.readBytes)} of ${mib(f.payloadBytes)}`,
    f.storedBytes === undefined ? "-" : mib(f.storedBytes),
    fixed(f.compressionRatio, 2),
  ]);
}

function scalingRows(points: ScalingPoint[]): string[][] {
  return points.map((p) => [
    `${p.threads} thread(s), ${p.partitions} partition(s)${p.error ? " FAILED" : ""}`,
    p.recordsPerSecond === null ? "-" : int(p.recordsPerSecond),
    fixed(p.mibPerSecond),
    p.peakRssBytes === null ? "-" : mib(p.peakRssBytes),
  ]);
}

function failures(r: BenchResults): string[] {
  const failed = [
    ...r.figures.filter((f) => f.error).map((f) => `${f.step}: ${reason(f.error!)}`),
    ...[...(r.scaling?.threads ?? []), ...(r.scaling?.partitions ?? [])]
      .filter((p) => p.error).map((p) => reason(p.error!)),
  ];
  return failed.length === 0 ? [] : ["", "Failed steps (stderr in the JSON):", ...failed];
}

/** The whole report, as printed at the end of a run. */
export function formatReport(r: BenchResults): string {
  const m = r.machine;
  const lines = [
    `Machine: ${m.nproc} cores, ${mib(m.memoryBytes)} MiB, ${m.cpuModel}; Deno ${m.deno}, ` +
    `Kafka ${m.kafka}, kcat ${m.kcat}, commit ${m.commit}`,
    `Dataset: ${int(r.dataset.records)} records of ${r.dataset.keySize} B key + ` +
    `${r.dataset.recordSize} B value = ${mib(r.dataset.payloadBytes)} MiB payload, ` +
    `${r.options.partitions} partitions, compressibility ${r.options.compressibility}`,
    "",
    table(
      [
        "step",
        "wall s",
        "tool s",
        "records/s",
        "MiB/s",
        "peak RSS MiB",
        "read MiB",
        "stored MiB",
        "compr.",
      ],
      figureRows(r.figures),
    ),
    "",
    table(["ratio to the kcat ceiling", "measured", "target"], [
      ["backup local / kcat consume", pct(r.ratios.backupLocalOfConsume), ">= 60%"],
      ["backup S3 / kcat consume", pct(r.ratios.backupS3OfConsume), "-"],
      ["restore local / kcat produce", pct(r.ratios.restoreLocalOfProduce), ">= 60%"],
      ["restore S3 / kcat produce", pct(r.ratios.restoreS3OfProduce), "-"],
    ]),
  ];
  if (r.scaling) {
    const header = ["local backup", "records/s", "MiB/s", "peak RSS MiB"];
    lines.push(
      "",
      `Scaling (${mib(r.scaling.payloadBytes)} MiB topics):`,
      table(header, [...scalingRows(r.scaling.threads), ...scalingRows(r.scaling.partitions)]),
      "",
      table(
        ["topic size (same backup)", "peak RSS MiB"],
        r.scaling.rss.map((p) => [
          `${mib(p.payloadBytes)} MiB`,
          p.peakRssBytes === null ? "-" : mib(p.peakRssBytes),
        ]),
      ),
      "(target: peak RSS < 300 MiB whatever the topic size)",
    );
  }
  lines.push(...failures(r));
  return lines.join("\n");
}

/** Writes `<out>/<ISO time>.json` and `<out>/latest.json`; returns the first path. */
export async function writeResults(out: string, results: BenchResults): Promise<string> {
  await Deno.mkdir(out, { recursive: true });
  const json = JSON.stringify(results, null, 2) + "\n";
  // Colons are legal on Linux but awkward in shells and on other systems' checkouts.
  const path = `${out}/${results.startedAt.replace(/:/g, "-")}.json`;
  await Deno.writeTextFile(path, json);
  await Deno.writeTextFile(`${out}/latest.json`, json);
  return path;
}
