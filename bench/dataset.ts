/**
 * The benchmark's dataset: a file of "key<TAB>value\n" lines that one kcat -P call produces.
 * Every line has the same length, so the first N records are the first N * lineBytes bytes.
 */
import { KEY_BYTES } from "./options.ts";

/** Shape of the records: value size and how much of each value compresses. */
export interface DatasetShape {
  recordSize: number;
  compressibility: number;
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const TEXT = new TextEncoder().encode(
  '{"event":"order-updated","status":"shipped","warehouse":"north-2","note":"lorem ipsum"} ',
);

/** Bytes of one line: key, tab, value, newline. */
export const lineBytes = (recordSize: number): number => KEY_BYTES + 1 + recordSize + 1;

/** Records of `recordSize` value bytes that fit in `total` payload bytes (keys + values). */
export const recordsFor = (total: number, recordSize: number): number =>
  Math.max(1, Math.floor(total / (KEY_BYTES + recordSize)));

function fillRandom(block: Uint8Array): void {
  // getRandomValues takes at most 65536 bytes per call.
  for (let at = 0; at < block.length; at += 65536) {
    crypto.getRandomValues(block.subarray(at, Math.min(at + 65536, block.length)));
  }
  // kcat splits input on "\n": keep it out of the random bytes (7.99 bits of entropy remain).
  for (let i = 0; i < block.length; i++) if (block[i] === NEWLINE) block[i] = 0x0b;
}

function writeLine(block: Uint8Array, at: number, index: number, shape: DatasetShape): void {
  const key = "k" + String(index).padStart(KEY_BYTES - 1, "0");
  for (let i = 0; i < KEY_BYTES; i++) block[at + i] = key.charCodeAt(i);
  block[at + KEY_BYTES] = TAB;
  // The value: repeated text first, random bytes (already in the block) after it.
  const value = at + KEY_BYTES + 1;
  const text = Math.round(shape.recordSize * shape.compressibility);
  for (let i = 0; i < text; i += TEXT.length) {
    block.set(TEXT.subarray(0, Math.min(TEXT.length, text - i)), value + i);
  }
  block[value + shape.recordSize] = NEWLINE;
}

/** Writes `records` lines to `path`. Keys are unique, so kcat's partitioner spreads them evenly. */
export async function writeDataset(
  path: string,
  records: number,
  shape: DatasetShape,
): Promise<void> {
  const line = lineBytes(shape.recordSize);
  const perBlock = Math.max(1, Math.floor((4 << 20) / line));
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const block = new Uint8Array(perBlock * line);
    for (let first = 0; first < records; first += perBlock) {
      const count = Math.min(perBlock, records - first);
      const part = block.subarray(0, count * line);
      fillRandom(part);
      for (let i = 0; i < count; i++) writeLine(part, i * line, first + i, shape);
      for (let done = 0; done < part.length;) done += await file.write(part.subarray(done));
    }
  } finally {
    file.close();
  }
}
