/**
 * The range a latest-per-key restore of one source partition covers must not move while
 * it runs: a backup that adds chunks between a killed run and its resumption would change
 * which record is each key's last. The first checkpoint of the job therefore pins the
 * range's last offset in its metadata (a line of its own beside the group snapshot's pin),
 * and every later run reads it back.
 */
import type { ChunkIndexEntry } from "../archive/index_entry.ts";

const PIN = "latest-per-key-last=";

/** The checkpoint metadata `metadata` with `last` pinned. */
export function pinLast(metadata: string | null, last: number): string {
  return [...(metadata === null ? [] : [metadata]), `${PIN}${last}`].join("\n");
}

/** The last offset the checkpoint metadata pins, or null. */
export function pinnedLast(metadata: string | null): number | null {
  const line = metadata?.split("\n").find((l) => l.startsWith(PIN));
  if (line === undefined) return null;
  const last = Number(line.slice(PIN.length));
  return Number.isSafeInteger(last) && last >= 0 ? last : null;
}

/**
 * The last offset of the range: the pinned one, else the job's bound (END_OFFSET, a
 * restoration point), else the end of what the archive holds now; null with no chunk.
 */
export function rangeLast(
  pinned: number | null,
  bound: number | undefined,
  entries: readonly ChunkIndexEntry[],
): number | null {
  if (pinned !== null) return pinned;
  const end = entries.at(-1)?.to;
  if (end === undefined) return bound ?? null;
  return Math.min(end, bound ?? Infinity);
}
