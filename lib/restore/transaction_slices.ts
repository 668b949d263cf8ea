/**
 * How a chunk's records are cut into transactions: each closes once it holds
 * `maxRecords` records (when set) or its records reach `maxBytes` bytes, whichever comes
 * first. A transaction costs about six round trips to the broker, so fewer and larger
 * ones restore faster; records are sized as they take room in a record batch.
 */
import type { ArchivedRecord } from "../archive/record.ts";
import { recordSize } from "./record_size.ts";

export interface TransactionLimits {
  /** RECORDS_PER_TRANSACTION; undefined: no bound on records. */
  maxRecords?: number;
  /** BYTES_PER_TRANSACTION. */
  maxBytes: number;
}

/**
 * The [start, end) index ranges of `records` that go into one transaction each, in
 * order. Every range holds at least one record; no records give no ranges.
 *
 * @example
 * ```ts
 * transactionSlices(records, { maxRecords: 1000, maxBytes: 16 * 1024 * 1024 });
 * ```
 */
export function transactionSlices(
  records: readonly ArchivedRecord[],
  limits: TransactionLimits,
): Array<[number, number]> {
  const slices: Array<[number, number]> = [];
  const maxRecords = limits.maxRecords ?? Infinity;
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    bytes += recordSize(records[i]);
    if (i + 1 - start >= maxRecords || bytes >= limits.maxBytes) {
      slices.push([start, i + 1]);
      start = i + 1;
      bytes = 0;
    }
  }
  if (start < records.length) slices.push([start, records.length]);
  return slices;
}
