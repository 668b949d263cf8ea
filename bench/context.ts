/** What every step of one benchmark run shares: options, services, scratch space, dataset. */
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

/** An environment variable that bench/run.sh exports; throws when it is missing. */
export function requireEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set: run "deno task bench", which starts services`);
  return value;
}
