/**
 * Summarises the .cpuprofile files `deno run --cpu-prof --cpu-prof-dir=DIR` wrote (one per
 * isolate: the main thread and each Worker): busy share per thread, self time by kind of
 * work, the functions and files with the most self time, and the repository's own
 * functions by inclusive time (async functions only up to their last await).
 * Usage: deno run -A bench/cpuprofile_summary.ts DIR [--top N]
 */
import { parseArgs } from "node:util";
import { table } from "./report.ts";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of V8's CPU profile format this script reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

const repo = new URL("../", import.meta.url).href;
// Not work: waiting, V8 bookkeeping, and a Worker's start-up wait for the profiler's
// inspector session (an artifact of --cpu-prof, about 0.4 s per Worker).
const IDLE = new Set(["(idle)", "(program)", "(root)", "op_worker_maybe_wait_for_debugger"]);

/** The repository's own code: not its npm packages, not this benchmark's profiling shim. */
const ours = (url: string) =>
  url.startsWith(repo) && !url.includes("/node_modules/") && !url.startsWith(`${repo}bench/`);

/** A readable location: repository-relative, npm "package/path", or the ext: URL. */
export function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const npm = /node_modules\/(?:\.deno\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+\/.*)$/.exec(url);
  if (npm) return npm[1];
  return url.startsWith(repo) ? url.slice(repo.length) : url;
}

/** Coarse kinds of work, by the frame that was running (first match wins). */
const CATEGORIES: Array<[string, (f: CallFrame) => boolean]> = [
  ["garbage collector", (f) => f.functionName === "(garbage collector)"],
  [
    "module loading (compile, require)",
    (f) =>
      /^(compileFunction|lazyLoad|loadExtScript|op_require_|op_compile_function|op_load_ext)/
        .test(f.functionName) || f.url === "node:module",
  ],
  ["zlib/zstd, native (writeSync)", (f) => f.functionName === "writeSync" && f.url === ""],
  ["kafkajs", (f) => f.url.includes("/kafkajs/")],
  ["cbor-x", (f) => f.url.includes("/cbor-x/")],
  ["AWS / Azure SDKs", (f) => /\/(@aws-sdk|@smithy|@azure|@typespec)\//.test(f.url)],
  ["Deno's node:buffer", (f) => f.url.startsWith("ext:deno_node/internal/buffer")],
  ["repository code", (f) => ours(f.url)],
  ["other", () => true],
];

function category(frame: CallFrame): string {
  return CATEGORIES.find(([, test]) => test(frame))![0];
}

function label(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  return frame.url ? `${name}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : name;
}

/** Sample counts of one profile: self per function and file, inclusive per function. */
export function aggregate(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const kinds = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  for (const id of profile.samples) {
    const frame = byId.get(id)!.callFrame;
    if (IDLE.has(frame.functionName)) {
      idle++;
      continue;
    }
    self.set(label(frame), (self.get(label(frame)) ?? 0) + 1);
    const file = frame.url ? shortUrl(frame.url) : frame.functionName;
    files.set(file, (files.get(file) ?? 0) + 1);
    kinds.set(category(frame), (kinds.get(category(frame)) ?? 0) + 1);
    // Inclusive: every distinct function on the stack counts once for this sample.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (ours(f.url)) seen.add(label(f));
    }
    for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + 1);
  }
  return { samples: profile.samples.length, idle, self, files, kinds, inclusive };
}

function merge(into: Map<string, number>, from: Map<string, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function top(counts: Map<string, number>, busy: number, n: number): string[][] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, count]) => [
    key,
    String(count),
    `${(count / busy * 100).toFixed(1)}%`,
  ]);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { top: { type: "string", default: "20" } },
  });
  const n = Number(values.top);
  const dir = positionals[0];
  if (!dir) throw new Error("Usage: cpuprofile_summary.ts DIR [--top N]");
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const kinds = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const threads: string[][] = [];
  let busy = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".cpuprofile")) continue;
    const profile: CpuProfile = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
    const a = aggregate(profile);
    const thread = /\.(worker-\d+)\.cpuprofile$/.exec(entry.name)?.[1] ?? "main";
    threads.push([thread, String(a.samples), `${((1 - a.idle / a.samples) * 100).toFixed(1)}%`]);
    busy += a.samples - a.idle;
    merge(self, a.self);
    merge(files, a.files);
    merge(kinds, a.kinds);
    merge(inclusive, a.inclusive);
  }
  threads.sort((a, b) => a[0].localeCompare(b[0], "en", { numeric: true }));
  console.log(table(["thread", "samples", "busy"], threads));
  console.log(`\nbusy samples (all threads): ${busy}; percentages below are of these\n`);
  console.log(table(["self time: kind of work", "samples", "%"], top(kinds, busy, n)));
  console.log();
  console.log(table(["self time: function  file:line", "samples", "%"], top(self, busy, n)));
  console.log();
  console.log(table(["self time: file", "samples", "%"], top(files, busy, n)));
  console.log();
  console.log(
    table(["inclusive: repository function  file:line", "samples", "%"], top(inclusive, busy, n)),
  );
}

if (import.meta.main) await main();
