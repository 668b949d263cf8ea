/**
 * A set of offsets as a bitmap in pages of 65,536 offsets (8 KiB each), allocated when
 * first used: one bit per offset of the range the set touches, and nothing for the long
 * stretches a compacted topic's keep set may leave empty.
 */
const PAGE_BITS = 16;
const PAGE_OFFSETS = 1 << PAGE_BITS;

export class OffsetSet {
  readonly #pages = new Map<number, Uint8Array>();
  #size = 0;

  /** Offsets in the set. */
  get size(): number {
    return this.#size;
  }

  /** Bytes the pages take. */
  get bytes(): number {
    return this.#pages.size * (PAGE_OFFSETS / 8);
  }

  add(offset: number): void {
    const page = Math.floor(offset / PAGE_OFFSETS);
    let bits = this.#pages.get(page);
    if (!bits) {
      bits = new Uint8Array(PAGE_OFFSETS / 8);
      this.#pages.set(page, bits);
    }
    const bit = offset - page * PAGE_OFFSETS;
    const mask = 1 << (bit & 7);
    if ((bits[bit >> 3] & mask) === 0) this.#size++;
    bits[bit >> 3] |= mask;
  }

  has(offset: number): boolean {
    const page = Math.floor(offset / PAGE_OFFSETS);
    const bits = this.#pages.get(page);
    if (!bits) return false;
    const bit = offset - page * PAGE_OFFSETS;
    return (bits[bit >> 3] & (1 << (bit & 7))) !== 0;
  }
}
