/**
 * The archive's metadata objects (docs/FORMAT.md, section 10): one line of UTF-8 JSON
 * each, with a `sha256sum` sidecar like a chunk's. Each object is written once under a
 * new name and never changed. Write order: the object, then its sidecar; the sidecar is
 * what makes it part of the archive, so a crash leaves at worst an object without one,
 * which readers ignore.
 */
import { IntegrityError, NotFoundError } from "../errors.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { compareKeys } from "../storage/keys.ts";
import { formatSidecar, parseSidecar, sha256Hex } from "./checksum.ts";
import { baseName } from "./keys.ts";

const SIDECAR = ".sha256";
const encoder = new TextEncoder();

/** A stored metadata object: its key and the SHA-256 of its bytes. */
export interface MetaRef {
  key: string;
  sha256: string;
}

/** Stores `value` as JSON under `key`, then its sidecar. */
export async function putMetaObject(
  backend: StorageBackend,
  key: string,
  value: unknown,
): Promise<MetaRef> {
  const bytes = encoder.encode(JSON.stringify(value) + "\n");
  const sha256 = sha256Hex(bytes);
  await backend.put(key, bytes);
  await backend.put(key + SIDECAR, encoder.encode(formatSidecar(sha256, baseName(key))));
  return { key, sha256 };
}

/**
 * Reads the object at `key` after checking it against its sidecar (and against
 * `expectedSha256` when a reference gives one). Throws IntegrityError naming the object
 * when it is missing, damaged or not JSON.
 */
export async function getMetaObject(
  backend: StorageBackend,
  key: string,
  expectedSha256?: string,
): Promise<{ value: unknown; sha256: string }> {
  const [bytes, sidecarBytes] = await Promise.all([
    required(backend, key, "metadata object"),
    required(backend, key + SIDECAR, "checksum sidecar"),
  ]);
  const sidecar = parseSidecar(new TextDecoder().decode(sidecarBytes), key + SIDECAR);
  const actual = sha256Hex(bytes);
  if (sidecar.fileName !== baseName(key)) {
    throw new IntegrityError(`Checksum sidecar ${key}${SIDECAR} is for ${sidecar.fileName}`);
  }
  if (actual !== sidecar.sha256 || (expectedSha256 !== undefined && actual !== expectedSha256)) {
    throw new IntegrityError(
      `sha256 mismatch in ${backend.location}/${key} (file ${actual}, sidecar ${sidecar.sha256}` +
        `${expectedSha256 ? `, expected ${expectedSha256}` : ""}): the object is damaged`,
    );
  }
  try {
    return {
      value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)),
      sha256: actual,
    };
  } catch (error) {
    throw new IntegrityError(`Cannot read ${key}: not JSON`, { cause: error });
  }
}

/**
 * The keys under `prefix` of objects that are part of the archive (those with a
 * sidecar), sorted by key, which for stamped names is by time.
 */
export async function listMetaObjects(backend: StorageBackend, prefix: string): Promise<string[]> {
  const sidecars: string[] = [];
  for await (const { key } of backend.list(prefix)) {
    if (key.endsWith(SIDECAR)) sidecars.push(key.slice(0, -SIDECAR.length));
  }
  // A sidecar without its object is damage, found when the object is read.
  return sidecars.filter((key) => key.endsWith(".json")).sort(compareKeys);
}

async function required(backend: StorageBackend, key: string, what: string): Promise<Uint8Array> {
  try {
    return await backend.get(key);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new IntegrityError(`Missing ${what} ${backend.location}/${key}`, { cause: error });
  }
}
