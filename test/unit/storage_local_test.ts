import assert from "node:assert/strict";
import { join } from "node:path";
import { StorageError } from "../../lib/errors.ts";
import { LocalBackend } from "../../lib/storage/local.ts";
import { compareKeys, joinKey, validateKey, validatePrefix } from "../../lib/storage/keys.ts";
import { storageConformanceSuite } from "../storage_conformance.ts";

storageConformanceSuite("LocalBackend", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kb-local-" });
  return {
    backend: new LocalBackend(join(dir, "root")),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kb-local-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function keysOf(backend: LocalBackend, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of backend.list(prefix)) keys.push(info.key);
  return keys;
}

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("validateKey accepts relative slash-separated keys", () => {
  for (const key of ["a", "a/b", "orders/3/0001-0002.chunk", "a.b/c..d/.e", "x/tmp-1"]) {
    assert.equal(validateKey(key), key);
  }
});

Deno.test("validateKey rejects unsafe keys with a StorageError naming the key", () => {
  const bad = [
    "",
    "/abs",
    "a\\b",
    "a\0b",
    "a//b",
    "a/",
    "./a",
    "a/./b",
    "../x",
    "a/..",
    ".tmp-x/a",
  ];
  for (const key of bad) {
    assert.throws(() => validateKey(key), (error: unknown) => {
      assert.ok(error instanceof StorageError);
      assert.equal(error.retriable, false);
      assert.match(error.message, new RegExp(JSON.stringify(key).replace(/[\\.]/g, "\\$&")));
      return true;
    });
  }
});

Deno.test("validatePrefix accepts empty and trailing-slash prefixes only when safe", () => {
  for (const prefix of ["", "a", "a/", "a/b/", "a/00"]) {
    assert.equal(validatePrefix(prefix), prefix);
  }
  for (const prefix of ["/", "../", "a//", "/a/"]) assert.throws(() => validatePrefix(prefix));
});

Deno.test("joinKey joins with slashes and validates the result", () => {
  assert.equal(joinKey("orders", "3", "x.chunk"), "orders/3/x.chunk");
  assert.throws(() => joinKey("orders", "", "x"), StorageError);
  assert.throws(() => joinKey("..", "x"), StorageError);
});

Deno.test("compareKeys orders by UTF-8 bytes, not UTF-16 code units", () => {
  const keys = ["b", "a/b", "a-b", "\u{1F600}", "\uFFFD", "a"];
  assert.deepEqual(keys.sort(compareKeys), ["a", "a-b", "a/b", "b", "\uFFFD", "\u{1F600}"]);
});

Deno.test("location is a file URL of the absolute root", () => {
  const backend = new LocalBackend("relative/dir");
  assert.equal(backend.location, "file://" + join(Deno.cwd(), "relative/dir"));
});

Deno.test("a missing root lists nothing and creates nothing", async () => {
  await withDir(async (dir) => {
    const root = join(dir, "not", "yet");
    const backend = new LocalBackend(root);
    assert.deepEqual(await keysOf(backend), []);
    assert.equal(await backend.stat("a"), null);
    await assert.rejects(Deno.stat(root), Deno.errors.NotFound);
    await backend.put("a/b", text("x"));
    assert.deepEqual(await keysOf(backend), ["a/b"]);
  });
});

Deno.test("temp files left by a crashed put are never listed", async () => {
  await withDir(async (dir) => {
    const backend = new LocalBackend(dir);
    await backend.put("t/kept", text("x"));
    await Deno.writeTextFile(join(dir, "t", ".tmp-0123456789abcdef"), "half a chu");
    await Deno.mkdir(join(dir, ".tmp-dir"));
    await Deno.writeTextFile(join(dir, ".tmp-dir", "inner"), "x");
    assert.deepEqual(await keysOf(backend), ["t/kept"]);
    assert.deepEqual(await keysOf(backend, "t/"), ["t/kept"]);
  });
});

Deno.test("a put held before its rename leaves the old content readable", async () => {
  await withDir(async (dir) => {
    // Each put stops at the hook; the test sees its temp file and decides how it ends.
    const held: Array<{ temp: string; release: (fail: boolean) => void }> = [];
    let arrived = Promise.withResolvers<void>();
    const backend = new LocalBackend(dir, {
      beforeRename: (temp) =>
        new Promise<void>((resolve, reject) => {
          held.push({ temp, release: (fail) => (fail ? reject(new Error("crash")) : resolve()) });
          arrived.resolve();
        }),
    });
    const plain = new LocalBackend(dir);
    await plain.put("k/obj", text("old"));

    const interrupted = backend.put("k/obj", text("new and longer"));
    await arrived.promise;
    assert.equal(await Deno.readTextFile(held[0].temp), "new and longer", "temp file is complete");
    assert.deepEqual(await plain.get("k/obj"), text("old"));
    assert.deepEqual(await keysOf(plain), ["k/obj"]);
    held[0].release(true);
    await assert.rejects(interrupted, StorageError);
    assert.deepEqual(await plain.get("k/obj"), text("old"));
    const names = Array.from(Deno.readDirSync(join(dir, "k")), (e) => e.name);
    assert.deepEqual(names, ["obj"], "a failed put removes its temp file");

    arrived = Promise.withResolvers<void>();
    const completed = backend.put("k/obj", text("new"));
    await arrived.promise;
    held[1].release(false);
    await completed;
    assert.deepEqual(await plain.get("k/obj"), text("new"));
  });
});

Deno.test("a key under an existing object fails with a StorageError", async () => {
  await withDir(async (dir) => {
    const backend = new LocalBackend(dir);
    await backend.put("a", text("x"));
    await assert.rejects(backend.put("a/b", text("y")), StorageError);
    assert.deepEqual(await keysOf(backend), ["a"]);
  });
});

Deno.test("a directory is not an object for get, stat or delete", async () => {
  await withDir(async (dir) => {
    const backend = new LocalBackend(dir);
    await backend.put("d/x", text("x"));
    assert.equal(await backend.stat("d"), null);
    await assert.rejects(backend.get("d"), StorageError);
    await backend.delete("d");
    assert.deepEqual(await keysOf(backend), ["d/x"]);
  });
});
