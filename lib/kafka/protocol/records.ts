/** The values the protocol layer reads and writes: plain numbers and bytes, no kafkajs. */

/** An ordered header list: [name, value] pairs, duplicates and null values allowed. */
export type HeaderList = Array<[string, Uint8Array | null]>;

/** A record of a fetched v2 record batch. Offsets and timestamps are BigInts only past 2^53. */
export interface WireRecord {
  offset: number | bigint;
  timestamp: number | bigint;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: HeaderList;
  attributes: number;
}
