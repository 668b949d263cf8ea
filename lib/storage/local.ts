/**
 * A local directory as storage. Writes are atomic and durable the way restic's local
 * backend does it: temp file in the target directory, fsync, rename, fsync the directory.
 */

import { dirname, join, resolve } from "node:path";
import { NotFoundError, StorageError } from "../errors.ts";
import type { ObjectInfo, StorageBackend } from "./backend.ts";
import { compareKeys, TEMP_PREFIX, validateKey, validatePrefix } from "./keys.ts";

/** Options of {@linkcode LocalBackend}. */
export interface LocalBackendOptions {
  /**
   * Test hook: awaited after the temp file of a `put` is written and synced, just before
   * the rename. Lets a test hold a put at its most fragile point, or fail it there.
   */
  beforeRename?: (tempPath: string, key: string) => void | Promise<void>;
}

/**
 * Stores each key as a file under `root` (key "a/b" is `<root>/a/b`). The root and
 * the directories under it are created by the first `put` that needs them, so a
 * reader never creates anything. As on any file system, a key cannot also be a
 * directory of other keys ("a" and "a/b" cannot both exist).
 *
 * @example
 * ```ts
 * const storage = new LocalBackend("/backups/kafka");
 * await storage.put("orders/0/x.chunk", bytes);
 * ```
 */
export class LocalBackend implements StorageBackend {
  readonly location: string;
  readonly #root: string;
  readonly #options: LocalBackendOptions;

  constructor(root: string, options: LocalBackendOptions = {}) {
    this.#root = resolve(root);
    this.location = "file://" + this.#root;
    this.#options = options;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.#path(key);
    const dir = dirname(path);
    try {
      await ensureDir(dir);
    } catch (error) {
      throw this.#error(error, "put", key);
    }
    const random = Array.from(crypto.getRandomValues(new Uint8Array(8)), hex).join("");
    const temp = join(dir, `${TEMP_PREFIX}${random}`);
    try {
      // createNew: never write through a file some other process already holds.
      const file = await Deno.open(temp, { write: true, createNew: true });
      try {
        await writeAll(file, data);
        await file.sync();
      } finally {
        file.close();
      }
      await this.#options.beforeRename?.(temp, key);
      await Deno.rename(temp, path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw this.#error(error, "put", key);
    }
    try {
      await syncDir(dir); // makes the rename itself durable
    } catch (error) {
      throw this.#error(error, "put", key);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await Deno.readFile(this.#path(key));
    } catch (error) {
      throw this.#error(error, "get", key);
    }
  }

  async getStream(key: string): Promise<ReadableStream<Uint8Array>> {
    const path = this.#path(key);
    try {
      const file = await Deno.open(path, { read: true });
      const info = await file.stat().catch((error) => {
        file.close();
        throw error;
      });
      if (!info.isFile) {
        file.close();
        throw new NotFoundError(key, this.location);
      }
      return file.readable;
    } catch (error) {
      throw this.#error(error, "get", key);
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const info = await Deno.stat(this.#path(key));
      return info.isFile ? { key, size: info.size } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw this.#error(error, "stat", key);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validatePrefix(prefix);
    // Walk only the directory the prefix points into, filtering its entries by the rest.
    const cut = prefix.lastIndexOf("/") + 1;
    yield* this.#walk(prefix.slice(0, cut), prefix.slice(cut));
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      const info = await Deno.lstat(path);
      if (info.isDirectory) return; // no object here, only other keys under it
      await Deno.remove(path);
    } catch (error) {
      if (isMissing(error)) return;
      throw this.#error(error, "delete", key);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Yields the files under the directory `dirKey` (a key prefix ending in "/", or "")
   * whose names start with `namePrefix`, in key byte order without sorting everything:
   * siblings are sorted by name, a directory as if its name ended in "/", which is the
   * order of the keys beneath it.
   */
  async *#walk(dirKey: string, namePrefix: string): AsyncIterable<ObjectInfo> {
    const dir = join(this.#root, dirKey);
    const entries: Array<{ name: string; sortName: string; isDirectory: boolean }> = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (!entry.name.startsWith(namePrefix) || entry.name.startsWith(TEMP_PREFIX)) continue;
        if (entry.isDirectory) {
          entries.push({ name: entry.name, sortName: entry.name + "/", isDirectory: true });
        } else if (entry.isFile) {
          entries.push({ name: entry.name, sortName: entry.name, isDirectory: false });
        } // symlinks and other special files are not objects
      }
    } catch (error) {
      if (isMissing(error) || error instanceof Deno.errors.NotADirectory) return;
      throw this.#error(error, "list", dirKey + namePrefix);
    }
    entries.sort((a, b) => compareKeys(a.sortName, b.sortName));
    for (const entry of entries) {
      const key = dirKey + entry.name;
      if (entry.isDirectory) {
        yield* this.#walk(key + "/", "");
        continue;
      }
      try {
        yield { key, size: (await Deno.stat(join(this.#root, key))).size };
      } catch (error) {
        if (!isMissing(error)) throw this.#error(error, "list", key);
        // deleted since readDir: not listed, as if the listing had been taken a moment later
      }
    }
  }

  #path(key: string): string {
    return join(this.#root, validateKey(key));
  }

  #error(error: unknown, op: string, key: string): Error {
    if (error instanceof StorageError) return error;
    if (op === "get" && (isMissing(error) || error instanceof Deno.errors.IsADirectory)) {
      return new NotFoundError(key, this.location);
    }
    const reason = error instanceof Error ? error.message : String(error);
    // Local failures (permissions, full disk) need an operator; only interruptions may pass.
    const retriable = error instanceof Deno.errors.Interrupted ||
      error instanceof Deno.errors.Busy || error instanceof Deno.errors.TimedOut;
    return new StorageError(`Cannot ${op} ${key} in ${this.location}: ${reason}`, {
      cause: error,
      retriable,
    });
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound;
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let written = 0;
  while (written < data.length) written += await file.write(data.subarray(written));
}

/** Creates `dir` and missing parents, syncing each parent so the new entries survive a crash. */
async function ensureDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    if (!isMissing(error)) throw error;
    await ensureDir(dirname(dir));
    try {
      await Deno.mkdir(dir);
    } catch (again) {
      if (!(again instanceof Deno.errors.AlreadyExists)) throw again;
    }
  }
  await syncDir(dirname(dir));
}

async function syncDir(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return; // directories cannot be opened for fsync there
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}
