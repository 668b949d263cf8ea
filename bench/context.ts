/** What every step of one benchmark run shares: options, services, scratch space, dataset. */
import type { ProduceTarget } from "./kcat.ts";
import type { BenchOptions } from "./options.ts";
import type { ToolSettings } from "./tool.ts";

/** Shared state of one run; `work` is removed at the end. */
export interface BenchContext {
  options: BenchOptions;
  bootstrap: string;
  s3Endpoint: string;
  /** Unique per run: topic, group and bucket names carry it, so reruns never collide. */
  runId: string;
  work: string;
  datasetFile: string;
  records: number;
  payloadBytes: number;
  tool: ToolSettings;
}

/** A progress line on stderr (stdout gets only the report). */
export function say(message: string): void {
  const time = new Date().toISOString().slice(11, 19);
  console.error(`[bench ${time}] ${message}`);
}

/** A failure in a few lines for the terminal: what failed and the last lines of its stderr. */
export function brief(error: string): string {
  const lines = error.split("\n");
  const tail = lines.slice(1).slice(-3).map((line) => `    ${line.slice(0, 300)}`);
  return [lines[0], ...tail].join("\n");
}

/** An environment variable that bench/run.sh exports; throws when it is missing. */
export function requireEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set: run "deno task bench", which starts services`);
  return value;
}

/** Where and how kcat produces into `topic` in this run. */
export function produceTarget(ctx: BenchContext, topic: string): ProduceTarget {
  return {
    bootstrap: ctx.bootstrap,
    topic,
    compression: ctx.options.produceCompression,
    timeoutSeconds: ctx.options.stepTimeoutSeconds,
  };
}
