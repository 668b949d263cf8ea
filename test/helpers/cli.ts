/** Runs the real entry scripts the way an operator does: `deno run` with the documented flags. */
const repo = new URL("../../", import.meta.url).pathname;

/** The permission flags the README documents for both entry scripts. */
export const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function command(script: "backup.ts" | "restore.ts", args: string[], env?: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, `${repo}${script}`, ...args],
    cwd: repo,
    env,
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs backup.ts or restore.ts to completion. */
export async function runScript(
  script: "backup.ts" | "restore.ts",
  args: string[],
  env?: Record<string, string>,
): Promise<CliResult> {
  const out = await command(script, args, env).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/**
 * Runs backup.ts or restore.ts to completion, or kills it after `ms` (a hang): its code is
 * then -1 and its stderr ends with a line saying so.
 */
export async function runScriptWithin(
  ms: number,
  script: "backup.ts" | "restore.ts",
  args: string[],
  env?: Record<string, string>,
): Promise<CliResult> {
  const child = spawnScript(script, args, env);
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    const result = await finish(child);
    return result.code === 137 && (await child.status).signal === "SIGKILL"
      ? { ...result, code: -1, stderr: `${result.stderr}\n(killed: still running after ${ms} ms)` }
      : result;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts backup.ts or restore.ts and returns the running child (for kill -9 tests). */
export function spawnScript(
  script: "backup.ts" | "restore.ts",
  args: string[],
  env?: Record<string, string>,
): Deno.ChildProcess {
  return command(script, args, env).spawn();
}

/** Writes a job file into a fresh temp directory and returns its path. */
export async function writeJob(job: Record<string, unknown>, name = "job.json"): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kb-job-" });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, JSON.stringify(job, null, 2));
  return path;
}

/** Fails with the script's output when it did not exit with `expected`. */
export function expectExit(result: CliResult, expected: number): void {
  if (result.code !== expected) {
    throw new Error(
      `exit ${result.code}, expected ${expected}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
}

/** The `message` of every JSON log line on stderr (quotes unescaped), one per line. */
export function logMessages(stderr: string): string {
  return stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => {
    try {
      return String(JSON.parse(line).message);
    } catch {
      return line;
    }
  }).join("\n");
}

/** Waits for a spawned script to end and collects its output. */
export async function finish(child: Deno.ChildProcess): Promise<CliResult> {
  const [status, stdout, stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code: status.code, stdout, stderr };
}

/** Stops a spawned script with SIGTERM and collects its exit code and output. */
export function terminate(child: Deno.ChildProcess): Promise<CliResult> {
  child.kill("SIGTERM");
  return finish(child);
}

/**
 * Lets a spawned script run for `ms`, then kills it with SIGKILL. Throws (with its
 * output) when it ended by itself before that: a kill test whose kill came too late.
 */
export async function killAfter(child: Deno.ChildProcess, ms: number): Promise<void> {
  const ended = await Promise.race([
    child.status.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);
  if (ended) {
    const out = await finish(child);
    throw new Error(`the script ended before the kill: exit ${out.code}\n${out.stderr}`);
  }
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
}
