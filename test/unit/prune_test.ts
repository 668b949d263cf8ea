/** Retention on a real local archive: what goes, in what order, and what a reader sees meanwhile. */
import assert from "node:assert/strict";
import { type ChunkMeta, encodeChunk } from "../../lib/archive/chunk_encode.ts";
import { indexKeyOf } from "../../lib/archive/keys.ts";
import { readPartitionIndex, storeChunk } from "../../lib/archive/store.ts";
import {
  listArchiveStarts,
  readArchiveStarts,
  writeArchiveStarts,
} from "../../lib/archive/archive_start.ts";
import { writeGroupSnapshot } from "../../lib/archive/group_snapshot.ts";
import {
  listRestorationPoints,
  writeRestorationPoint,
} from "../../lib/archive/restoration_point.ts";
import { listGroupSnapshots } from "../../lib/archive/group_snapshot.ts";
import { prune } from "../../lib/backup/prune.ts";
import { IntegrityError } from "../../lib/errors.ts";
import { createLogger, setLogLevel } from "../../lib/log.ts";
import { LocalBackend } from "../../lib/storage/local.ts";
import type { StorageBackend } from "../../lib/storage/backend.ts";

setLogLevel(40);
const logger = createLogger("test");
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 2);

/** Stores chunks of 10 records each on partition 0 of "orders": chunk i is `ages[i]` days old. */
async function archive(ages: number[]): Promise<LocalBackend> {
  const backend = new LocalBackend(await Deno.makeTempDir());
  for (const [i, age] of ages.entries()) {
    const from = i * 10;
    const meta: ChunkMeta = {
      topic: "orders",
      partition: 0,
      from,
      to: from + 9,
      timestampType: "CreateTime",
      codec: "zstd",
    };
    const records = Array.from({ length: 10 }, (_, j) => ({
      offset: from + j,
      timestamp: NOW - age * DAY,
      key: new TextEncoder().encode(`k${from + j}`),
      value: new TextEncoder().encode(`v${from + j}`),
      headers: [],
    }));
    await storeChunk(backend, await encodeChunk(meta, records));
  }
  return backend;
}

const ranges = async (backend: StorageBackend) =>
  (await readPartitionIndex(backend, "orders", 0)).entries.map((e) => `${e.from}-${e.to}`);

async function keysOf(backend: StorageBackend): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of backend.list("")) keys.push(key);
  return keys.sort();
}

Deno.test("a prune records the new start, then removes the chunks below it and nothing else", async () => {
  const backend = await archive([9, 8, 1, 0]);
  const report = await prune(backend, ["orders"], { retentionMs: 7 * DAY }, logger, {
    nowMs: NOW,
  });
  assert.deepEqual(report.partitions, [{
    topic: "orders",
    partition: 0,
    chunks: 2,
    records: 20,
    bytes: report.partitions[0].bytes,
    previousStart: 0,
    start: 20,
  }]);
  assert.ok(report.partitions[0].bytes > 0);
  assert.deepEqual(await ranges(backend), ["20-29", "30-39"]);
  assert.deepEqual((await readArchiveStarts(backend, "orders")).starts, new Map([[0, 20]]));
  const left = (await keysOf(backend)).filter((k) => k.startsWith("orders/0/"));
  assert.equal(left.length, 6, `only the two kept chunks' three objects remain: ${left}`);
});

Deno.test("a dry run reports the same and removes nothing", async () => {
  const backend = await archive([9, 8, 1, 0]);
  const before = await keysOf(backend);
  const report = await prune(backend, ["orders"], { retentionMs: 7 * DAY }, logger, {
    nowMs: NOW,
    dryRun: true,
  });
  assert.equal(report.dryRun, true);
  assert.equal(report.partitions[0].chunks, 2);
  assert.deepEqual(await keysOf(backend), before);
});

Deno.test("a prune killed after recording its start is finished by the next one", async () => {
  const backend = await archive([9, 8, 1, 0]);
  // As a prune killed right after its start object: every chunk is still there.
  await writeArchiveStarts(backend, "orders", new Map([[0, 20]]));
  await backend.delete(indexKeyOf("orders/0/00000000000000000010-00000000000000000019.chunk"));
  const index = await readPartitionIndex(backend, "orders", 0);
  assert.deepEqual(index.entries.map((e) => e.from), [20, 30], "a reader starts at the start");
  assert.deepEqual(index.orphans, [], "half-removed chunks below the start are not orphans");
  assert.equal(index.pruned.length, 2);
  // The next prune (even one with a policy that would keep everything) finishes the job.
  await prune(backend, ["orders"], { retentionMs: 100 * DAY }, logger, { nowMs: NOW });
  const left = (await keysOf(backend)).filter((k) => k.startsWith("orders/0/"));
  assert.equal(left.length, 6);
  assert.deepEqual(await ranges(backend), ["20-29", "30-39"]);
});

Deno.test("a second prune replaces the start object and keeps every start", async () => {
  const backend = await archive([9, 8, 5, 0]);
  await prune(backend, ["orders"], { retentionMs: 7 * DAY }, logger, { nowMs: NOW });
  await prune(backend, ["orders"], { retentionMs: 3 * DAY }, logger, { nowMs: NOW });
  assert.equal((await listArchiveStarts(backend, "orders")).length, 1);
  assert.deepEqual((await readArchiveStarts(backend, "orders")).starts, new Map([[0, 30]]));
  assert.deepEqual(await ranges(backend), ["30-39"]);
});

/** `backend`, with `beforeGet` run before each get (another process acting meanwhile). */
function withBeforeGet(
  backend: StorageBackend,
  beforeGet: (key: string) => Promise<void>,
): StorageBackend {
  return {
    location: backend.location,
    endpoint: backend.endpoint,
    put: (key, data) => backend.put(key, data),
    get: async (key) => {
      await beforeGet(key);
      return backend.get(key);
    },
    getStream: (key) => backend.getStream(key),
    stat: (key) => backend.stat(key),
    list: (prefix) => backend.list(prefix),
    delete: (key) => backend.delete(key),
    close: () => backend.close(),
  } as StorageBackend;
}

const FIRST_INDEX = indexKeyOf("orders/0/00000000000000000000-00000000000000000009.chunk");

Deno.test("an index entry that vanishes under a reader is fine below the start, an error above it", async () => {
  const backend = await archive([9, 8, 1, 0]);
  // A prune between the reader's listing and its get: the start first, then the removal.
  const pruning = withBeforeGet(backend, async (key) => {
    if (key !== FIRST_INDEX) return;
    await writeArchiveStarts(backend, "orders", new Map([[0, 10]]));
    await backend.delete(key);
  });
  assert.deepEqual(await ranges(pruning), ["10-19", "20-29", "30-39"]);
  // The same entry gone with no start that explains it: a chunk lost, not pruned.
  const fresh = await archive([9, 8, 1, 0]);
  const losing = withBeforeGet(fresh, async (key) => {
    if (key === FIRST_INDEX) await fresh.delete(key);
  });
  await assert.rejects(readPartitionIndex(losing, "orders", 0), IntegrityError);
});

Deno.test("restoration points and group snapshots that refer only to pruned records go with them", async () => {
  const backend = await archive([9, 8, 1, 0]);
  const snapshot = (offset: number, ageDays: number) => ({
    createdAt: new Date(NOW - ageDays * DAY).toISOString(),
    groups: [{
      group: "g",
      offsets: [{ topic: "orders", partition: 0, offset, metadata: null }],
    }],
  });
  const old = await writeGroupSnapshot(backend, snapshot(5, 3));
  const kept = await writeGroupSnapshot(backend, snapshot(25, 2));
  const point = (end: number, groupSnapshot: typeof old, ageDays: number) => ({
    createdAt: new Date(NOW - ageDays * DAY).toISOString(),
    groupSnapshot,
    topics: [{ topic: "orders", partitions: [{ partition: 0, end }] }],
  });
  const pruned = await writeRestorationPoint(backend, point(20, old, 3));
  const stays = await writeRestorationPoint(backend, point(40, kept, 2));
  const newest = await writeGroupSnapshot(backend, snapshot(3, 1)); // the newest always stays
  const report = await prune(backend, ["orders"], { retentionMs: 7 * DAY }, logger, {
    nowMs: NOW,
  });
  assert.deepEqual(report.points, [pruned.id]);
  assert.deepEqual(report.groupSnapshots, [old.key]);
  assert.deepEqual(await listRestorationPoints(backend), [stays.id]);
  assert.deepEqual(await listGroupSnapshots(backend), [kept.key, newest.key].sort());
});
