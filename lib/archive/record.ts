/**
 * One Kafka record as the archive keeps it: bytes, never text, and nothing lost.
 */

/**
 * A record with everything a restore needs to reproduce it.
 *
 * - `key` and `value`: `null` (absent, e.g. a tombstone) is different from an empty array.
 * - `headers`: an ordered list; a name may repeat and a value may be `null`.
 * - `offset` and `timestamp`: JavaScript safe integers (`timestamp` may be -1, Kafka's
 *   "no timestamp"). Its meaning (create or log-append time) is per chunk.
 */
export interface ArchivedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Array<[string, Uint8Array | null]>;
}
