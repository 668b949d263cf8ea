import assert from "node:assert/strict";
import { loadRestoreJob } from "../../lib/config/restore_job.ts";
import { jobFingerprint } from "../../lib/config/fingerprint.ts";
import { ConfigError, ExitCode } from "../../lib/errors.ts";
import { pinLast, pinnedLast, rangeLast } from "../../lib/restore/latest_range.ts";
import { pinMetadata, pinnedSnapshot } from "../../lib/restore/group_plan.ts";
import type { ChunkIndexEntry } from "../../lib/archive/index_entry.ts";
import { failure, writeJob } from "./config_helpers_test.ts";

const base = { BOOTSTRAP_SERVERS: "k:1", BACKUP_TOPIC_NAME: "t", FILESYSTEM_BACKUP_DIR: "/b" };

async function load(job: Record<string, unknown>, overrides = {}) {
  return await loadRestoreJob(await writeJob(job, "restore.json"), overrides);
}

async function problems(job: Record<string, unknown>, overrides = {}): Promise<string[]> {
  const path = await writeJob(job, "restore.json");
  return (await failure(path, () => loadRestoreJob(path, overrides))).lines;
}

Deno.test("LATEST_PER_KEY is off by default, and when on makes the run a once run", async () => {
  const plain = await load(base);
  assert.equal(plain.latestPerKey, undefined);
  assert.equal(plain.runMode, "follow");
  const on = await load({ ...base, LATEST_PER_KEY: true });
  assert.deepEqual([on.latestPerKey, on.runMode], [{ keepTombstones: false }, "once"]);
  const kept = await load({ ...base, LATEST_PER_KEY: "TRUE", KEEP_TOMBSTONES: "true" });
  assert.deepEqual(kept.latestPerKey, { keepTombstones: true });
  assert.equal((await load({ ...base, LATEST_PER_KEY: false })).latestPerKey, undefined);
});

Deno.test("bad LATEST_PER_KEY and KEEP_TOMBSTONES values are refused naming the key (exit 2)", async () => {
  assert.deepEqual(await problems({ ...base, LATEST_PER_KEY: "yes" }), [
    '$.LATEST_PER_KEY: expected true or false, got "yes"',
  ]);
  assert.deepEqual(await problems({ ...base, LATEST_PER_KEY: true, KEEP_TOMBSTONES: 1 }), [
    "$.KEEP_TOMBSTONES: expected true or false, got 1",
  ]);
  assert.deepEqual(await problems({ ...base, KEEP_TOMBSTONES: true }), [
    "$.KEEP_TOMBSTONES: only used when LATEST_PER_KEY is true",
  ]);
  assert.deepEqual(await problems({ ...base, LATEST_PER_KEY: true, RUN_MODE: "follow" }), [
    '$.LATEST_PER_KEY: restores the last record of each key of a fixed range: it cannot be followed (RUN_MODE "follow")',
  ]);
  assert.deepEqual(await problems({ ...base, LATEST_PER_KEY: true }, { runMode: "follow" }), [
    '$.LATEST_PER_KEY: restores the last record of each key of a fixed range: it cannot be followed (RUN_MODE "follow")',
  ]);
  const path = await writeJob({ ...base, LATEST_PER_KEY: "yes" }, "restore.json");
  const error = await loadRestoreJob(path).catch((e) => e);
  assert.ok(error instanceof ConfigError);
  assert.equal(error.exitCode, ExitCode.config);
  assert.equal(ExitCode.config, 2);
});

Deno.test("LATEST_PER_KEY and KEEP_TOMBSTONES are part of the job's identity; off leaves it as it was", async () => {
  const plain = jobFingerprint(await load(base));
  assert.equal(jobFingerprint(await load({ ...base, LATEST_PER_KEY: false })), plain);
  const on = jobFingerprint(await load({ ...base, LATEST_PER_KEY: true }));
  const tombstones = jobFingerprint(
    await load({ ...base, LATEST_PER_KEY: true, KEEP_TOMBSTONES: true }),
  );
  assert.equal(new Set([plain, on, tombstones]).size, 3);
});

Deno.test("the pinned last offset and the group snapshot's pin share the checkpoint metadata", () => {
  const groups = pinMetadata({ key: "@groups/20260101T000000000Z-0a0b0c0d.json" } as never);
  const both = pinLast(groups, 4_321);
  assert.equal(pinnedSnapshot(both), pinnedSnapshot(groups));
  assert.equal(pinnedLast(both), 4_321);
  assert.equal(pinnedLast(pinLast(null, 0)), 0);
  assert.equal(pinnedLast(groups), null);
  assert.equal(pinnedLast(null), null);
  assert.equal(pinnedSnapshot(pinLast(null, 5)), null);
});

Deno.test("a latest-per-key range ends at the pin, else at the job's bound or the archive's end", () => {
  const entries = [{ from: 0, to: 99 }, { from: 100, to: 199 }] as ChunkIndexEntry[];
  assert.equal(rangeLast(150, undefined, entries), 150);
  assert.equal(rangeLast(null, undefined, entries), 199);
  assert.equal(rangeLast(null, 120, entries), 120);
  assert.equal(rangeLast(null, 500, entries), 199);
  assert.equal(rangeLast(null, undefined, []), null);
});
