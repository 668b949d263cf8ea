import assert from "node:assert/strict";
import { type ChunkMeta, encodeChunk } from "../../lib/archive/chunk_encode.ts";
import { chunkKey, indexKeyOf, sidecarKeyOf } from "../../lib/archive/keys.ts";
import type { ArchivedRecord } from "../../lib/archive/record.ts";
import {
  listArchive,
  loadVerifiedChunk,
  readPartitionIndex,
  storeChunk,
} from "../../lib/archive/store.ts";
import { IntegrityError, StorageError } from "../../lib/errors.ts";
import type { ObjectInfo, StorageBackend } from "../../lib/storage/backend.ts";
import { LocalBackend } from "../../lib/storage/local.ts";

const text = (s: string) => new TextEncoder().encode(s);

function records(offsets: number[], tag = ""): ArchivedRecord[] {
  return offsets.map((offset) => ({
    offset,
    timestamp: 1_700_000_000_000 + offset,
    key: text(`k${offset}`),
    value: text(`value ${offset}${tag}`),
    headers: [["h", text(tag)], ["h", null]],
  }));
}

async function chunk(from: number, to: number, opts: { topic?: string; partition?: number } = {}) {
  const meta: ChunkMeta = {
    topic: opts.topic ?? "orders",
    partition: opts.partition ?? 0,
    from,
    to,
    timestampType: "CreateTime",
    codec: "zstd",
  };
  const offsets = Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((o) =>
    o % 3 !== 2
  );
  return await encodeChunk(meta, records(offsets));
}

/** A backend that records every call before passing it on. */
class RecordingBackend implements StorageBackend {
  readonly calls: string[] = [];
  failPut?: (key: string) => boolean;
  /** Runs before a put goes through (another process acting meanwhile). */
  beforePut?: (key: string) => Promise<void>;
  constructor(readonly inner: StorageBackend) {}
  get location() {
    return this.inner.location;
  }
  put(key: string, data: Uint8Array) {
    this.calls.push(`put ${key}`);
    if (this.failPut?.(key)) return Promise.reject(new Error(`injected failure: ${key}`));
    if (this.beforePut) return this.beforePut(key).then(() => this.inner.put(key, data));
    return this.inner.put(key, data);
  }
  get(key: string) {
    this.calls.push(`get ${key}`);
    return this.inner.get(key);
  }
  getStream(key: string) {
    this.calls.push(`getStream ${key}`);
    return this.inner.getStream(key);
  }
  stat(key: string) {
    this.calls.push(`stat ${key}`);
    return this.inner.stat(key);
  }
  list(prefix: string): AsyncIterable<ObjectInfo> {
    this.calls.push(`list ${prefix}`);
    return this.inner.list(prefix);
  }
  delete(key: string) {
    this.calls.push(`delete ${key}`);
    return this.inner.delete(key);
  }
  close() {
    return this.inner.close();
  }
}

async function withStorage(body: (storage: RecordingBackend) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kb-archive-" });
  try {
    await body(new RecordingBackend(new LocalBackend(dir)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertIntegrityError(promise: Promise<unknown>, ...parts: string[]) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IntegrityError, `expected IntegrityError, got ${error}`);
    for (const part of parts) assert.ok(error.message.includes(part), error.message);
    return true;
  });
}

Deno.test("storeChunk writes the chunk, then its sidecar, and the index entry last", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    await storeChunk(storage, c);
    assert.deepEqual(storage.calls, [
      `delete ${indexKeyOf(c.key)}`,
      `put ${c.key}`,
      `put ${sidecarKeyOf(c.key)}`,
      `put ${indexKeyOf(c.key)}`,
      `stat ${c.key}`,
    ]);
  });
});

Deno.test("a chunk removed by someone else while it is stored takes its index entry back", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    // Another process removes the chunk file as a leftover just before our entry lands.
    storage.beforePut = async (key) => {
      if (key === indexKeyOf(c.key)) await storage.inner.delete(c.key);
    };
    await assert.rejects(
      storeChunk(storage, c),
      (error: Error) => error instanceof StorageError && error.message.includes(c.key),
    );
    const index = await readPartitionIndex(storage, "orders", 0);
    assert.deepEqual(index.entries, []);
    assert.deepEqual(index.missing, []);
  });
});

Deno.test("a store interrupted before the index entry leaves only orphans", async () => {
  await withStorage(async (storage) => {
    await storeChunk(storage, await chunk(0, 9));
    storage.failPut = (key) => key.endsWith(".json");
    const c = await chunk(10, 19);
    await assert.rejects(storeChunk(storage, c), /injected/);
    const index = await readPartitionIndex(storage, "orders", 0);
    assert.deepEqual(index.entries.map((e) => e.key), [chunkKey("orders", 0, 0, 9)]);
    assert.deepEqual(index.orphans, [c.key, sidecarKeyOf(c.key)]);
    assert.deepEqual(index.missing, []);
  });
});

Deno.test("readPartitionIndex lists the partition once, its topic's archive starts once, and reads index entries only", async () => {
  await withStorage(async (storage) => {
    for (const [from, to] of [[100, 199], [0, 9], [10, 99]]) {
      await storeChunk(storage, await chunk(from, to));
    }
    await storeChunk(storage, await chunk(0, 9, { partition: 10 }));
    storage.calls.length = 0;
    const index = await readPartitionIndex(storage, "orders", 0);
    assert.deepEqual(index.entries.map((e) => [e.from, e.to]), [[0, 9], [10, 99], [100, 199]]);
    assert.deepEqual(storage.calls.filter((c) => c.startsWith("list")), [
      "list orders/0/",
      "list orders/@start/",
    ]);
    const reads = storage.calls.filter((c) => !c.startsWith("list"));
    assert.equal(reads.length, 3);
    assert.ok(reads.every((c) => c.startsWith("get ") && c.endsWith(".chunk.json")), `${reads}`);
  });
});

Deno.test("readPartitionIndex reports orphans, missing files and foreign keys", async () => {
  await withStorage(async (storage) => {
    const a = await chunk(0, 9);
    const b = await chunk(10, 19);
    await storeChunk(storage, a);
    await storeChunk(storage, b);
    await storage.delete(sidecarKeyOf(b.key));
    await storage.put(chunkKey("orders", 0, 20, 29), text("orphan data"));
    await storage.put("orders/0/notes.txt", text("hi"));
    const index = await readPartitionIndex(storage, "orders", 0);
    assert.equal(index.entries.length, 2);
    assert.deepEqual(index.orphans, [chunkKey("orders", 0, 20, 29)]);
    assert.deepEqual(index.missing, [sidecarKeyOf(b.key)]);
    assert.deepEqual(index.unrecognized, ["orders/0/notes.txt"]);
  });
});

Deno.test("a damaged index entry fails readPartitionIndex loudly", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    await storeChunk(storage, c);
    await storage.put(indexKeyOf(c.key), text("{}"));
    await assertIntegrityError(readPartitionIndex(storage, "orders", 0), indexKeyOf(c.key));
  });
});

Deno.test("listArchive names the topics and partitions that have index entries", async () => {
  await withStorage(async (storage) => {
    await storeChunk(storage, await chunk(0, 9, { topic: "b", partition: 10 }));
    await storeChunk(storage, await chunk(0, 9, { topic: "b", partition: 2 }));
    await storeChunk(storage, await chunk(0, 9, { topic: "a", partition: 0 }));
    await storage.put(chunkKey("c", 0, 0, 9), text("orphan only"));
    assert.deepEqual(await listArchive(storage), [
      { topic: "a", partitions: [0] },
      { topic: "b", partitions: [2, 10] },
    ]);
  });
});

Deno.test("loadVerifiedChunk returns the records of an intact chunk", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    await storeChunk(storage, c);
    const [entry] = (await readPartitionIndex(storage, "orders", 0)).entries;
    const { header, records: got } = await loadVerifiedChunk(storage, entry);
    assert.equal(header.count, entry.count);
    assert.deepStrictEqual(got, records([0, 1, 3, 4, 6, 7, 9]));
  });
});

Deno.test("a flipped byte in a chunk is a sha256 mismatch naming the chunk", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    await storeChunk(storage, c);
    const damaged = c.bytes.slice();
    damaged[damaged.length >> 1] ^= 0x01;
    await storage.put(c.key, damaged);
    await assertIntegrityError(loadVerifiedChunk(storage, c.entry), `sha256 mismatch in ${c.key}`);
  });
});

Deno.test("a truncated chunk is refused before it is decoded", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    await storeChunk(storage, c);
    await storage.put(c.key, c.bytes.subarray(0, c.bytes.length - 10));
    await assertIntegrityError(loadVerifiedChunk(storage, c.entry), c.key, "size mismatch");
  });
});

Deno.test("a bad, wrong or missing sidecar is an integrity error naming it", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    const sidecar = sidecarKeyOf(c.key);
    await storeChunk(storage, c);
    await storage.put(sidecar, text("not a checksum\n"));
    await assertIntegrityError(loadVerifiedChunk(storage, c.entry), sidecar);
    await storage.put(sidecar, text(`${"0".repeat(64)}  ${c.key.split("/").at(-1)}\n`));
    await assertIntegrityError(loadVerifiedChunk(storage, c.entry), "sha256 mismatch", c.key);
    await storage.put(sidecar, text(`${c.sha256}  other.chunk\n`));
    await assertIntegrityError(loadVerifiedChunk(storage, c.entry), sidecar, "other.chunk");
    await storage.delete(sidecar);
    await assertIntegrityError(loadVerifiedChunk(storage, c.entry), "missing", sidecar);
  });
});

Deno.test("a missing chunk file is an integrity error naming it", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    await storeChunk(storage, c);
    await storage.delete(c.key);
    await assertIntegrityError(loadVerifiedChunk(storage, c.entry), "missing", c.key);
  });
});

Deno.test("an index entry that disagrees with its chunk is refused", async () => {
  await withStorage(async (storage) => {
    const c = await chunk(0, 9);
    await storeChunk(storage, c);
    const other = { ...c.entry, sha256: "f".repeat(64) };
    await assertIntegrityError(loadVerifiedChunk(storage, other), "sha256 mismatch");
    const later = { ...c.entry, createdAt: "2001-01-01T00:00:00.000Z" };
    await assertIntegrityError(loadVerifiedChunk(storage, later), "createdAt");
  });
});

Deno.test("storing a chunk again under the same key replaces it consistently", async () => {
  await withStorage(async (storage) => {
    const meta: ChunkMeta = {
      topic: "orders",
      partition: 0,
      from: 0,
      to: 4,
      timestampType: "CreateTime",
      codec: "gzip",
    };
    await storeChunk(storage, await encodeChunk(meta, records([0, 1, 2, 3, 4], "old")));
    await storeChunk(storage, await encodeChunk(meta, records([0, 2, 4], "new")));
    const { entries } = await readPartitionIndex(storage, "orders", 0);
    assert.equal(entries.length, 1);
    const { records: got } = await loadVerifiedChunk(storage, entries[0]);
    assert.deepStrictEqual(got, records([0, 2, 4], "new"));
  });
});
