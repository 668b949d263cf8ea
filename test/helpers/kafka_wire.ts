/** Kafka's wire encodings written from the protocol spec, as oracles for the fast paths. */

/** Kafka's zigzag varint of any 64-bit value (zigzag, then base-128 little-endian groups). */
export function varint(n: number | bigint): number[] {
  let u = (BigInt(n) << 1n) ^ (BigInt(n) >> 63n);
  u &= (1n << 64n) - 1n;
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}

/** A varint-length byte field; null is length -1. */
export const field = (bytes: Uint8Array | null): number[] =>
  bytes === null ? varint(-1) : [...varint(bytes.length), ...bytes];
