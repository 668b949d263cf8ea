/**
 * Storage keys: relative, "/"-separated paths that every backend maps under its root.
 * One shared guard keeps a key from escaping the root (`..`, `/abs`) and keeps keys
 * portable between a directory, a bucket and a container.
 */

import { StorageError } from "../errors.ts";

/**
 * Prefix of the temporary files of an unfinished local `put`. A key segment may not
 * start with it, so no stored object can hide among temporary files.
 */
export const TEMP_PREFIX = ".tmp-";

/**
 * Returns `key` when it is a valid storage key, else throws a `StorageError` (not
 * retriable) naming it. Valid: non-empty, relative, "/"-separated segments that are
 * neither empty, `.`, `..` nor start with {@linkcode TEMP_PREFIX}; no `\` and no NUL.
 *
 * @example
 * ```ts
 * validateKey("orders/3/00000000000000000042-00000000000000000099.chunk"); // ok
 * validateKey("../etc/passwd"); // throws StorageError
 * ```
 */
export function validateKey(key: string): string {
  const problem = keyProblem(key);
  if (problem !== null) {
    throw new StorageError(`Invalid storage key ${JSON.stringify(key)}: ${problem}`);
  }
  return key;
}

/**
 * Returns `prefix` when it can start a valid key: empty, or a valid key optionally
 * followed by one "/". Throws a `StorageError` otherwise.
 */
export function validatePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  const body = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  const problem = keyProblem(body);
  if (problem !== null) {
    throw new StorageError(`Invalid storage prefix ${JSON.stringify(prefix)}: ${problem}`);
  }
  return prefix;
}

/**
 * Joins key parts with "/" and validates the result.
 *
 * @example
 * ```ts
 * joinKey("orders", "3", "x.chunk"); // "orders/3/x.chunk"
 * ```
 */
export function joinKey(...parts: string[]): string {
  return validateKey(parts.join("/"));
}

/**
 * Compares two keys by the byte order of their UTF-8 encodings, the order every
 * backend lists in (S3's order). Plain `<` on strings compares UTF-16 code units,
 * which differs for characters outside the Basic Multilingual Plane.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++; // skip the low surrogate of the same code point
  }
  return a.length - b.length;
}

function keyProblem(key: string): string | null {
  if (key === "") return "it is empty";
  if (key.startsWith("/")) return "it must be relative (it starts with /)";
  if (key.includes("\\")) return "it contains a backslash";
  if (key.includes("\0")) return "it contains a NUL character";
  for (const segment of key.split("/")) {
    if (segment === "") return "it has an empty segment";
    if (segment === "." || segment === "..") return `it has a "${segment}" segment`;
    if (segment.startsWith(TEMP_PREFIX)) return `a segment starts with "${TEMP_PREFIX}"`;
  }
  return null;
}
