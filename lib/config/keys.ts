/** The keys each kind of job file accepts, and the check for unknown ones. */
import { suggest } from "./did_you_mean.ts";
import type { Issues } from "./issues.ts";
import type { KeyCheck } from "./job_fields.ts";
import type { JobKind } from "./key_doc.ts";
import { keysOf } from "./key_docs.ts";

/** Every key of a backup job file, from the key table. */
export const BACKUP_KEYS: readonly string[] = keysOf("backup");

/** Every key of a restore job file, from the key table. */
export const RESTORE_KEYS: readonly string[] = keysOf("restore");

export type { JobKind };

const KEYS_OF: Record<JobKind, readonly string[]> = { backup: BACKUP_KEYS, restore: RESTORE_KEYS };

/** The key a job file may carry to name its JSON Schema, for editors; the parsers ignore it. */
export const SCHEMA_KEY = "$schema";

/**
 * Records an error for every key of `raw` that a `kind` job does not know, with a
 * suggestion when one is close. Returns the known keys that are present (not SCHEMA_KEY).
 */
export function checkKeys(raw: Record<string, unknown>, kind: JobKind, issues: Issues): string[] {
  const allowed = KEYS_OF[kind];
  const other: JobKind = kind === "backup" ? "restore" : "backup";
  const known: string[] = [];
  for (const key of Object.keys(raw)) {
    if (key === SCHEMA_KEY) continue; // for editors only: nothing to check or use
    if (allowed.includes(key)) {
      known.push(key);
      continue;
    }
    const at = issues.at("$").child(key);
    // A key of the other kind of job is a different mistake than a typo: say so.
    if (KEYS_OF[other].includes(key)) {
      at.fail(`unknown key in a ${kind} job (${key} is only used in ${other} job files)`);
      continue;
    }
    const guess = suggest(key, allowed);
    at.fail(guess === undefined ? "unknown key" : `unknown key (did you mean "${guess}"?)`);
  }
  return known;
}

/** The check of a `kind` job's keys, for JobFields. */
export function keyCheck(kind: JobKind): KeyCheck {
  return (raw, issues) => checkKeys(raw, kind, issues);
}
