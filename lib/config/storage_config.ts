/**
 * The storage part of a job file: FILESYSTEM_TYPE picks a kind of storage from lib/storage's
 * registry, which reads its own keys; the keys of the other kinds are refused.
 */
import {
  FILESYSTEM_TYPES,
  type FilesystemType,
  STORAGE_KIND_KEYS,
  type StorageConfig,
  type StorageDirs,
  storageKind,
} from "../storage/registry.ts";
import type { JobFields } from "./job_fields.ts";
import { oneOf } from "./values.ts";

/** FILESYSTEM_TYPE (default LINUX); undefined when the value is invalid (already reported). */
export function readFilesystemType(fields: JobFields): FilesystemType | undefined {
  if (!fields.has("FILESYSTEM_TYPE")) return "LINUX";
  return fields.optional("FILESYSTEM_TYPE", oneOf(FILESYSTEM_TYPES));
}

/** When a key only `types` read applies, said to a job of `type`: `FILESYSTEM_TYPE is "S3" (it is "LINUX")`. */
function typeIs(types: readonly FilesystemType[], type: FilesystemType): string {
  return `FILESYSTEM_TYPE is ${types.map((t) => `"${t}"`).join(" or ")} (it is "${type}")`;
}

/**
 * Reports keys that belong to a storage type other than `type` (they would be silently
 * ignored, e.g. a BUCKET_NAME with the default LINUX type backs up to the local disk).
 * `extraCloudKeys` are further keys only meaningful for the remote kinds (S3, AZURE).
 */
export function checkStorageKeys(
  fields: JobFields,
  type: FilesystemType,
  extraCloudKeys: string[] = [],
) {
  for (const key of STORAGE_KIND_KEYS) {
    const types = FILESYSTEM_TYPES.filter((t) => storageKind(t).keys.includes(key));
    fields.onlyWhen(key, types.includes(type), typeIs(types, type));
  }
  const remote = FILESYSTEM_TYPES.filter((t) => storageKind(t).remote);
  for (const key of extraCloudKeys) {
    fields.onlyWhen(key, remote.includes(type), typeIs(remote, type));
  }
}

/**
 * The storage of a job of `type`: `localRoot` is the archive root for LINUX, `stagingDir`
 * the working directory for S3/AZURE (both come from FILESYSTEM_BACKUP_DIR). Undefined
 * when something needed is invalid (already reported).
 */
export function readStorage(
  fields: JobFields,
  type: FilesystemType,
  dirs: StorageDirs,
): StorageConfig | undefined {
  return storageKind(type).read(fields, dirs);
}
