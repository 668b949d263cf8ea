/** LATEST_PER_KEY and KEEP_TOMBSTONES: restore only the last record of each key. */
import type { JobFields } from "./job_fields.ts";
import { boolean } from "./values.ts";

/** Present only when LATEST_PER_KEY is true (docs/compacted-topics.md). */
export interface LatestPerKey {
  /** KEEP_TOMBSTONES: a key whose last record is a tombstone is restored as that tombstone. */
  keepTombstones: boolean;
}

/** Reads the two keys; KEEP_TOMBSTONES true is refused without LATEST_PER_KEY true. */
export function readLatestPerKey(fields: JobFields): LatestPerKey | undefined {
  const on = fields.withDefault("LATEST_PER_KEY", boolean, false);
  const keepTombstones = fields.withDefault("KEEP_TOMBSTONES", boolean, false);
  if (keepTombstones && !on) {
    fields.at("KEEP_TOMBSTONES").fail("only used when LATEST_PER_KEY is true");
  }
  return on ? { keepTombstones } : undefined;
}
