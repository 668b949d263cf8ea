/**
 * The config of the local-directory backend (FILESYSTEM_TYPE "LINUX"). It has no keys of
 * its own: the archive root comes from FILESYSTEM_BACKUP_DIR (a restore may take its
 * parent, see lib/config/restore_topics.ts).
 */

import type { StorageKeyDoc } from "../config/key_doc.ts";

/** The keys only a LINUX job reads: none. */
export const LOCAL_KEYS = [] as const;
export const LOCAL_KEY_DOCS: Record<typeof LOCAL_KEYS[number], StorageKeyDoc> = {};

/** The archive is a directory tree under `root`. */
export interface LocalStorageConfig {
  type: "local";
  root: string;
}

/** The local storage with archive root `root`; undefined when it is missing (already reported). */
export function readLocalConfig(root: string | undefined): LocalStorageConfig | undefined {
  return root === undefined ? undefined : { type: "local", root };
}

/** Where a local archive is, for the restore fingerprint. */
export function localLocation(config: LocalStorageConfig): Record<string, string> {
  return { type: "local", root: config.root };
}
