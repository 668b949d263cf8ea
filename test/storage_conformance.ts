/**
 * One behaviour contract for every storage backend (restic's habit): the same cases run
 * against the local directory here and later against S3 and Azure with real servers.
 */

import assert from "node:assert/strict";
import { NotFoundError, StorageError } from "../lib/errors.ts";
import type { ObjectInfo, StorageBackend } from "../lib/storage/backend.ts";

/** What a suite needs per test: a fresh, empty backend and a way to remove it. */
export type MakeBackend = () => Promise<{ backend: StorageBackend; cleanup: () => Promise<void> }>;

/** Options of {@linkcode storageConformanceSuite}. */
export interface ConformanceOptions {
  /** Objects in the paging test; more than 1000 crosses an S3 listing page (default 1100). */
  manyObjects?: number;
  /** Puts in flight at once in the paging test (default 32). */
  concurrency?: number;
}

const text = (s: string) => new TextEncoder().encode(s);

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of iterable) out.push(info);
  return out;
}

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Registers the conformance cases as `Deno.test`s named `<name>: <sentence>`.
 *
 * @example
 * ```ts
 * storageConformanceSuite("LocalBackend", async () => {
 *   const dir = await Deno.makeTempDir();
 *   return { backend: new LocalBackend(dir), cleanup: () => Deno.remove(dir, { recursive: true }) };
 * });
 * ```
 */
export function storageConformanceSuite(
  name: string,
  makeBackend: MakeBackend,
  options: ConformanceOptions = {},
): void {
  const many = options.manyObjects ?? 1100;
  const concurrency = options.concurrency ?? 32;

  function test(sentence: string, body: (backend: StorageBackend) => Promise<void>) {
    Deno.test(`${name}: ${sentence}`, async () => {
      const { backend, cleanup } = await makeBackend();
      try {
        await body(backend);
      } finally {
        await backend.close();
        await cleanup();
      }
    });
  }

  test("put then get returns all 256 byte values unchanged", async (backend) => {
    const data = new Uint8Array(512).map((_, i) => i % 256);
    await backend.put("bin/all-bytes", data);
    assert.deepEqual(await backend.get("bin/all-bytes"), data);
  });

  test("an empty object round trips", async (backend) => {
    await backend.put("empty", new Uint8Array(0));
    assert.equal((await backend.get("empty")).length, 0);
    assert.deepEqual(await backend.stat("empty"), { key: "empty", size: 0 });
  });

  test("a second put replaces the object", async (backend) => {
    await backend.put("a/b", text("first version, longer"));
    await backend.put("a/b", text("second"));
    assert.deepEqual(await backend.get("a/b"), text("second"));
    assert.deepEqual(await collect(backend.list("a/")), [{ key: "a/b", size: 6 }]);
  });

  test("stat gives the size, or null when the object is missing", async (backend) => {
    await backend.put("s/x", new Uint8Array(1234));
    assert.deepEqual(await backend.stat("s/x"), { key: "s/x", size: 1234 });
    assert.equal(await backend.stat("s/missing"), null);
    assert.equal(await backend.stat("nothing/here/at/all"), null);
  });

  test("getStream yields the stored bytes", async (backend) => {
    const data = new Uint8Array(65536 * 3 + 17).map((_, i) => (i * 31 + (i >> 8)) & 0xff);
    await backend.put("stream/x", data);
    assert.deepEqual(await readStream(await backend.getStream("stream/x")), data);
  });

  test("list returns only keys with the prefix, sorted by byte order", async (backend) => {
    const keys = ["p/b", "p/a/b", "pz", "p/ab", "q/x", "p/a.b", "p/a-b", "p/a/a/z"];
    for (const key of keys) await backend.put(key, text(key));
    const listed = await collect(backend.list("p/a"));
    assert.deepEqual(listed.map((o) => o.key), ["p/a-b", "p/a.b", "p/a/a/z", "p/a/b", "p/ab"]);
    assert.deepEqual(listed.map((o) => o.size), [5, 5, 7, 5, 4]);
    const all = (await collect(backend.list(""))).map((o) => o.key);
    assert.deepEqual(all, [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    assert.deepEqual(await collect(backend.list("nope/")), []);
  });

  test(`list pages through ${many} objects in order`, async (backend) => {
    const keys = Array.from({ length: many }, (_, i) => `many/${String(i).padStart(6, "0")}`);
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++];
        await backend.put(key, text(key.slice(-3)));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const listed = await collect(backend.list("many/"));
    assert.equal(listed.length, many);
    assert.deepEqual(listed.map((o) => o.key), keys);
    assert.ok(listed.every((o) => o.size === 3));
  });

  test("list never shows a partly written object", async (backend) => {
    const size = 8 * 1024 * 1024;
    await backend.put("big/other", text("x"));
    let done = false;
    const writing = backend.put("big/object", new Uint8Array(size).fill(7)).finally(() => {
      done = true;
    });
    do {
      for (const info of await collect(backend.list("big/"))) {
        assert.ok(["big/object", "big/other"].includes(info.key), `unexpected ${info.key}`);
        if (info.key === "big/object") {
          assert.equal(info.size, size, "a listed object must be complete");
        }
      }
    } while (!done);
    await writing;
    assert.equal((await collect(backend.list("big/"))).length, 2);
  });

  test("delete removes the object and deleting again is not an error", async (backend) => {
    await backend.put("d/x", text("x"));
    await backend.delete("d/x");
    assert.equal(await backend.stat("d/x"), null);
    await backend.delete("d/x");
    await backend.delete("d/never-existed");
    assert.deepEqual(await collect(backend.list("d/")), []);
  });

  test("get and getStream of a missing key throw NotFoundError", async (backend) => {
    await assert.rejects(backend.get("missing/x"), NotFoundError);
    await assert.rejects(backend.getStream("missing/x"), NotFoundError);
    await backend.put("missing/other", text("x"));
    await assert.rejects(backend.get("missing/x"), NotFoundError);
  });

  test("keys that could escape the root or are ambiguous are rejected", async (backend) => {
    for (const bad of ["../x", "/abs", "a//b", "a/./b", "a/../b", "", "a\\b", "a/"]) {
      const isBadKey = (error: unknown) =>
        error instanceof StorageError && !(error instanceof NotFoundError) && !error.retriable;
      await assert.rejects(backend.put(bad, text("x")), isBadKey, `put ${JSON.stringify(bad)}`);
      await assert.rejects(backend.get(bad), isBadKey, `get ${JSON.stringify(bad)}`);
      await assert.rejects(backend.stat(bad), isBadKey, `stat ${JSON.stringify(bad)}`);
      await assert.rejects(backend.delete(bad), isBadKey, `delete ${JSON.stringify(bad)}`);
    }
    assert.deepEqual(await collect(backend.list("")), []);
  });
}
