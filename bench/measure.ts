/** Runs a child process and measures its wall time and peak resident memory. */

/** What one measured child did. */
export interface Measured {
  code: number;
  wallSeconds: number;
  /** VmHWM of the child: the kernel's high-water mark of its RSS, Worker threads included. */
  peakRssBytes: number;
  stdout: string;
  stderr: string;
  /** The child outlived `timeoutSeconds` and was stopped (SIGTERM, then SIGKILL). */
  timedOut: boolean;
}

/** Options of `measure`; stdout "null" discards the output (kcat's consume ceiling). */
export interface MeasureOptions {
  env?: Record<string, string>;
  cwd?: string;
  stdout?: "piped" | "null";
  /** A file fed to the child's stdin, limited to its first `stdinBytes` bytes if given. */
  stdinFile?: string;
  stdinBytes?: number;
  /** Stop the child after this long: a hung step must not hang the whole benchmark. */
  timeoutSeconds?: number;
}

const SAMPLE_MS = 100;
/** backup.ts and restore.ts stop within 30 s of SIGTERM; then they are killed. */
const KILL_AFTER_MS = 35_000;

async function vmHwm(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0; // the process has exited: keep the last reading
  }
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // it exited meanwhile
  }
}

async function feedStdin(child: Deno.ChildProcess, path: string, limit?: number): Promise<void> {
  const file = await Deno.open(path);
  const writer = child.stdin.getWriter();
  try {
    const buffer = new Uint8Array(1 << 20);
    let left = limit ?? Infinity;
    while (left > 0) {
      const n = await file.read(buffer.subarray(0, Math.min(buffer.length, left)));
      if (n === null) break;
      await writer.write(buffer.slice(0, n));
      left -= n;
    }
    await writer.close();
  } finally {
    file.close();
  }
}

/**
 * Runs `command args` to completion, sampling /proc/<pid>/status every 100 ms. VmHWM only
 * grows, so the sampled maximum misses at most the last 100 ms of the child's life.
 */
export async function measure(
  command: string,
  args: string[],
  options: MeasureOptions = {},
): Promise<Measured> {
  const started = performance.now();
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: options.stdinFile ? "piped" : "null",
    stdout: options.stdout ?? "piped",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await vmHwm(child.pid));
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  let timedOut = false;
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (options.timeoutSeconds) {
    timers.push(setTimeout(() => {
      timedOut = true;
      signal(child, "SIGTERM");
      timers.push(setTimeout(() => signal(child, "SIGKILL"), KILL_AFTER_MS));
    }, options.timeoutSeconds * 1000));
  }
  const feeding = options.stdinFile
    ? feedStdin(child, options.stdinFile, options.stdinBytes)
    : Promise.resolve();
  const [output] = await Promise.all([child.output(), feeding]);
  const wallSeconds = (performance.now() - started) / 1000;
  for (const timer of timers) clearTimeout(timer);
  running = false;
  await sampler;
  const decoder = new TextDecoder();
  return {
    code: output.code,
    wallSeconds,
    peakRssBytes: peak,
    stdout: options.stdout === "null" ? "" : decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    timedOut,
  };
}

/** Why the child failed or timed out, with the tail of its stderr; null if it succeeded. */
export function failureOf(what: string, result: Measured): string | null {
  if (result.code === 0 && !result.timedOut) return null;
  const tail = result.stderr.trim().split("\n").slice(-15).join("\n");
  const how = result.timedOut
    ? `did not finish within its time limit (stopped after ${result.wallSeconds.toFixed(0)} s)`
    : `exited ${result.code}`;
  return `${what} ${how}:\n${tail}`;
}

/** Throws `failureOf` when the child failed or timed out. */
export function expectSuccess(what: string, result: Measured): Measured {
  const failure = failureOf(what, result);
  if (failure) throw new Error(failure);
  return result;
}
