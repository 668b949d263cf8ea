/** How much room a restored record takes, for cutting transactions and request slices. */
import type { ArchivedRecord } from "../archive/record.ts";

/** Bytes a record takes in a record batch, closely enough to stay under the broker's limit. */
export function recordSize(record: ArchivedRecord): number {
  let size = 64 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [name, value] of record.headers) size += 16 + name.length + (value?.length ?? 0);
  return size;
}
