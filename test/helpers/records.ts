/** A Kafka record as tests write and compare it: bytes, not text; null distinct from empty. */
export interface TestRecord {
  partition: number;
  offset?: number;
  timestamp?: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Array<[string, Uint8Array | null]>;
}

const encoder = new TextEncoder();
export const bytes = (text: string): Uint8Array => encoder.encode(text);

/**
 * `n` records keyed `<tag>-<i>` with values `<tag> value <i>`, spread over `partitions`
 * (record i on partition i % partitions), all with `timestamp` when one is given.
 */
export function taggedRecords(
  tag: string,
  n: number,
  options: { partitions?: number; timestamp?: number } = {},
): TestRecord[] {
  const { partitions = 1, timestamp } = options;
  return Array.from({ length: n }, (_, i) => ({
    partition: i % partitions,
    ...(timestamp === undefined ? {} : { timestamp }),
    key: bytes(`${tag}-${i}`),
    value: bytes(`${tag} value ${i}`),
    headers: [],
  }));
}

/** The key of a record as text. */
export const keyOf = (r: TestRecord): string => new TextDecoder().decode(r.key!);

function hex(data: Uint8Array | null): string {
  return data === null ? "null" : Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A comparable, printable form of a record (bytes as hex). */
export function describeRecord(
  record: TestRecord,
  fields: { offset?: boolean; timestamp?: boolean; partition?: boolean } = {},
): string {
  const parts = [
    fields.partition === false ? "" : `p${record.partition}`,
    fields.offset ? `o${record.offset}` : "",
    fields.timestamp ? `t${record.timestamp}` : "",
    `k=${hex(record.key)}`,
    `v=${
      record.value === null ? "null" : hex(record.value).slice(0, 64) + `#${record.value.length}`
    }`,
    `h=${record.headers.map(([k, v]) => `${k}:${hex(v)}`).join(",")}`,
  ];
  return parts.filter((p) => p !== "").join(" ");
}
