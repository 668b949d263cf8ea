/**
 * The first pass of a latest-per-key restore spills (key, offset, tombstone) to bucket
 * files on disk, a key always to the same bucket (by a hash of its bytes), so that each
 * bucket can be reduced alone in memory: memory stays bounded by one bucket however many
 * distinct keys the partition has. The hash only picks the bucket; keys are compared by
 * their bytes, so a hash collision can never merge two keys.
 *
 * Bucket file: a sequence of [u32 key length][key bytes][f64 entry], big-endian, where
 * entry is the offset, or -(offset + 1) for a tombstone.
 */
import { Buffer } from "node:buffer";
import { join } from "node:path";

/** Bytes buffered per bucket before they are appended to its file. */
const BUFFER_BYTES = 32 * 1024;

/** FNV-1a over the key's bytes: fast and spreads short keys well. */
export function keyHash(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i], 0x01000193);
  return h >>> 0;
}

/** One bucket entry: the offset, negative for a tombstone. */
export const encodeEntry = (offset: number, tombstone: boolean): number =>
  tombstone ? -(offset + 1) : offset;
export const entryOffset = (entry: number): number => (entry < 0 ? -entry - 1 : entry);

/** Writes keys into `count` bucket files under `dir`, buffered. */
export class BucketWriter {
  readonly #buffers: Uint8Array[];
  readonly #used: number[];

  constructor(readonly dir: string, readonly count: number) {
    this.#buffers = Array.from({ length: count }, () => new Uint8Array(0));
    this.#used = new Array(count).fill(0);
  }

  path(bucket: number): string {
    return join(this.dir, `bucket-${bucket}`);
  }

  /** Adds a key's entry; returns a promise (to await) only when a buffer had to be written. */
  add(key: Uint8Array, entry: number): Promise<void> | undefined {
    const bucket = keyHash(key) % this.count;
    const size = 12 + key.length;
    if (this.#used[bucket] + size > this.#buffers[bucket].length) {
      return this.#flush(bucket, size).then(() => this.#put(bucket, key, entry, size));
    }
    this.#put(bucket, key, entry, size);
    return undefined;
  }

  #put(bucket: number, key: Uint8Array, entry: number, size: number): void {
    const buffer = this.#buffers[bucket];
    const at = this.#used[bucket];
    const view = new DataView(buffer.buffer, buffer.byteOffset + at, size);
    view.setUint32(0, key.length);
    buffer.set(key, at + 4);
    view.setFloat64(4 + key.length, entry);
    this.#used[bucket] = at + size;
  }

  /** Appends what every bucket still buffers to its file. */
  async close(): Promise<void> {
    for (let b = 0; b < this.count; b++) await this.#flush(b, 0);
    this.#buffers.length = 0;
  }

  /** Writes out the bucket's buffer; makes room for a record of `size` bytes. */
  async #flush(bucket: number, size: number): Promise<void> {
    const used = this.#used[bucket];
    if (used > 0) {
      await Deno.writeFile(this.path(bucket), this.#buffers[bucket].subarray(0, used), {
        append: true,
      });
      this.#used[bucket] = 0;
    }
    // Buffers are allocated when first used, and a key larger than one gets its own.
    if (size > this.#buffers[bucket].length) {
      this.#buffers[bucket] = new Uint8Array(Math.max(BUFFER_BYTES, size));
    }
  }
}

/**
 * The last entry of each key in one bucket file, by key (its bytes as a latin1 string:
 * one character per byte, so distinct keys stay distinct). A later offset wins.
 */
export async function reduceBucket(path: string): Promise<Map<string, number>> {
  const latest = new Map<string, number>();
  let data: Uint8Array;
  try {
    data = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return latest; // no key hashed here
    throw error;
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < data.length;) {
    const length = view.getUint32(at);
    const key = latin1(data, at + 4, length);
    const entry = view.getFloat64(at + 4 + length);
    const seen = latest.get(key);
    if (seen === undefined || entryOffset(entry) > entryOffset(seen)) latest.set(key, entry);
    at += 12 + length;
  }
  return latest;
}

/** Byte i becomes character code i (ISO-8859-1, not windows-1252 as TextDecoder would). */
function latin1(data: Uint8Array, at: number, length: number): string {
  if (length > 64) {
    return Buffer.from(data.buffer, data.byteOffset + at, length).toString("latin1");
  }
  let text = "";
  for (let i = at; i < at + length; i++) text += String.fromCharCode(data[i]);
  return text;
}
