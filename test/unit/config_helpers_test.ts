/**
 * Shared helpers of the config_*_test.ts files (named *_test.ts only to stay within the
 * config test files; it holds no tests itself).
 */
import assert from "node:assert/strict";
import { JobFileError } from "../../lib/config/issues.ts";

let dir: string | undefined;

/** Writes a job file (text verbatim, objects as JSON) into a temp dir and returns its path. */
export async function writeJob(
  content: string | Record<string, unknown>,
  name = "job.json",
): Promise<string> {
  if (dir === undefined) {
    const created = await Deno.makeTempDir({ prefix: "config-test-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(created, { recursive: true }));
    dir = created;
  }
  const path = `${dir}/${crypto.randomUUID()}-${name}`;
  await Deno.writeTextFile(
    path,
    typeof content === "string" ? content : JSON.stringify(content, null, 2),
  );
  return path;
}

/**
 * The JobFileError that `load` rejects with, and its message lines without the
 * "<file>: " prefix (which every line must have).
 */
export async function failure(
  path: string,
  load: () => Promise<unknown>,
): Promise<{ error: JobFileError; lines: string[] }> {
  const error = await load().then(() => assert.fail("expected the job to be rejected"), (e) => e);
  assert.ok(error instanceof JobFileError, String(error));
  const lines = error.message.split("\n");
  for (const line of lines) assert.ok(line.startsWith(`${path}: `), line);
  return { error, lines: lines.map((l: string) => l.slice(path.length + 2)) };
}

/** Runs `fn` with environment variables set, restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    }
  }
}
