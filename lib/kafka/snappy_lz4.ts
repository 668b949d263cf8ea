/** The snappy and lz4 codecs of codecs.ts, loaded only when a batch uses one. */
import { Buffer } from "node:buffer";
import * as lz4 from "lz4js";
import * as snappy from "snappyjs";

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

/** Snappy as Kafka sends it: raw, or in xerial blocks (16-byte header, then length-prefixed blocks). */
export function snappyDecompress(data: Buffer): Buffer {
  if (data.length < 16 || !data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return Buffer.from(snappy.uncompress(data));
  }
  const parts: Buffer[] = [];
  let pos = 16;
  while (pos < data.length) {
    const size = data.readUInt32BE(pos);
    pos += 4;
    parts.push(Buffer.from(snappy.uncompress(data.subarray(pos, pos + size))));
    pos += size;
  }
  return Buffer.concat(parts);
}

export function snappyCompress(data: Buffer): Buffer {
  return Buffer.from(snappy.compress(data));
}

/** An LZ4 frame, as Kafka sends it. */
export function lz4Decompress(data: Buffer): Buffer {
  return Buffer.from(lz4.decompress(data));
}
