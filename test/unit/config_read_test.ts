import assert from "node:assert/strict";
import { loadBackupJob } from "../../lib/config/backup_job.ts";
import { ConfigError, ExitCode } from "../../lib/errors.ts";
import { failure, writeJob } from "./config_helpers_test.ts";

// Reading and parsing the file itself; the same code serves restore jobs.

async function loadFailure(path: string) {
  return await failure(path, () => loadBackupJob(path));
}

Deno.test("a missing job file is a ConfigError naming the file", async () => {
  const path = `/nonexistent-${crypto.randomUUID()}/backup.json`;
  const { error, lines } = await loadFailure(path);
  assert.ok(error instanceof ConfigError);
  assert.equal(error.exitCode, ExitCode.config);
  assert.deepEqual(lines, ["cannot read the job file: file not found"]);
});

Deno.test("a directory given as the job file is reported as such", async () => {
  const folder = await Deno.makeTempDir();
  const { lines } = await loadFailure(folder);
  await Deno.remove(folder);
  assert.deepEqual(lines, ["cannot read the job file: is a directory, not a file"]);
});

Deno.test("invalid JSON is reported with its line and column", async () => {
  const path = await writeJob('{\n  "GROUP_ID": "g",\n  "LOG_LEVEL" 20\n}');
  const { lines } = await loadFailure(path);
  assert.deepEqual(lines, [
    'invalid JSON: expected ":" after a key, found "2" at line 3, column 15',
  ]);
});

Deno.test("a trailing comma and an empty file are invalid JSON with a position", async () => {
  assert.deepEqual((await loadFailure(await writeJob('{"GROUP_ID": "g",\n}'))).lines, [
    'invalid JSON: expected a quoted key, found "}" at line 2, column 1',
  ]);
  assert.deepEqual((await loadFailure(await writeJob(""))).lines, [
    "invalid JSON: expected a value, found end of file at line 1, column 1",
  ]);
});

Deno.test("a key given twice is an error instead of silently using the last value", async () => {
  const path = await writeJob('{\n  "LOG_LEVEL": 10,\n  "LOG_LEVEL": 40\n}');
  assert.deepEqual((await loadFailure(path)).lines, [
    'invalid JSON: duplicate key "LOG_LEVEL" at line 3, column 3',
  ]);
});

Deno.test("a top level that is not an object is rejected at $", async () => {
  const { lines } = await loadFailure(await writeJob('["BOOTSTRAP_SERVERS"]'));
  assert.deepEqual(lines, ["$: expected an object of settings at the top level, got an array"]);
});
