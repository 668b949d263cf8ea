/**
 * Gaps: offsets inside a chunk's range that hold no record. Kafka leaves them on purpose
 * (compaction, transaction markers, aborted transactions), so they are recorded, not feared.
 */

/**
 * The inclusive offset ranges inside [`from`, `to`] that none of `offsets` covers.
 * `offsets` must be strictly increasing and inside the range.
 *
 * @example
 * ```ts
 * computeGaps(10, 20, [10, 11, 15]); // [[12, 14], [16, 20]]
 * ```
 */
export function computeGaps(
  from: number,
  to: number,
  offsets: Iterable<number>,
): Array<[number, number]> {
  const gaps: Array<[number, number]> = [];
  let expected = from;
  for (const offset of offsets) {
    if (offset > expected) gaps.push([expected, offset - 1]);
    expected = offset + 1;
  }
  if (expected <= to) gaps.push([expected, to]);
  return gaps;
}

/** How many offsets the gaps cover. */
export function gapSize(gaps: ReadonlyArray<readonly [number, number]>): number {
  let size = 0;
  for (const [first, last] of gaps) size += last - first + 1;
  return size;
}

/** The offsets of `records`, without building an array of them. */
export function* offsetsOf(records: ReadonlyArray<{ offset: number }>): Iterable<number> {
  for (let i = 0; i < records.length; i++) yield records[i].offset;
}
