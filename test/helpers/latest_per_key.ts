/** What a latest-per-key restore must write, computed independently of the tool's code. */
import type { TestRecord } from "./records.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * Per partition, in offset order: every record without a key, and each key's last record
 * (left out when it is a tombstone, unless `keepTombstones`), of the records `inRange` keeps.
 */
export function latestPerKey(
  records: readonly TestRecord[],
  options: { keepTombstones?: boolean; inRange?: (r: TestRecord) => boolean } = {},
): TestRecord[] {
  const inRange = records.filter(options.inRange ?? (() => true));
  const last = new Map<string, TestRecord>();
  for (const r of inRange) if (r.key !== null) last.set(`${r.partition}/${hex(r.key)}`, r);
  return inRange.filter((r) => {
    if (r.key === null) return true;
    if (last.get(`${r.partition}/${hex(r.key)}`) !== r) return false;
    return r.value !== null || options.keepTombstones === true;
  });
}
