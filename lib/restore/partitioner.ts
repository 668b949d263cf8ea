/**
 * Where a restored record goes. `same`: its source partition. `random`: any partition.
 * `key`: Kafka's default partitioner (murmur2 of the key bytes, made positive, modulo the
 * partition count), so records with one key stay together when the partition count
 * changes; null keys are spread at random, as Kafka's producer does.
 */
export type Strategy = "same" | "random" | "key";

/** Kafka's murmur2 (the Java client's Utils.murmur2) of `data`, as a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] & 0xff) | ((data[i4 + 1] & 0xff) << 8) | ((data[i4 + 2] & 0xff) << 16) |
      ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length & 3;
  const tail = length & ~3;
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition for a record under `strategy`, for a target with `partitions` partitions. */
export function choosePartition(
  strategy: Strategy,
  sourcePartition: number,
  key: Uint8Array | null,
  partitions: number,
): number {
  switch (strategy) {
    case "same":
      return sourcePartition;
    case "key":
      if (key !== null) return (murmur2(key) & 0x7fffffff) % partitions;
      return Math.floor(Math.random() * partitions);
    case "random":
      return Math.floor(Math.random() * partitions);
  }
}
