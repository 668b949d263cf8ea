/**
 * kafkajs's protocol Encoder, for the patches that hand it finished bytes, and the
 * protocol string helpers both request writers use. (encoder.js requires only kafkajs's
 * Long: safe to load before the patches install.)
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";

// deno-lint-ignore no-explicit-any
type Any = any;
export const Encoder: Any = createRequire(import.meta.url)("kafkajs/src/protocol/encoder.js");

/** An Encoder holding `buf` as its finished content, without the constructor's allocation. */
export function encoderOf(buf: Buffer): Any {
  const encoder = Object.create(Encoder.prototype);
  encoder.buf = buf;
  encoder.offset = buf.length;
  return encoder;
}

/** Bytes of a protocol string (int16 length, UTF-8), as kafkajs's writeString writes it. */
export function stringBytes(value: string | null): number {
  return 2 + (value == null ? 0 : Buffer.byteLength(value, "utf8"));
}

/** Writes a protocol string at `at` (null as length -1); returns the offset after it. */
export function writeString(buf: Buffer, at: number, value: string | null): number {
  if (value == null) return buf.writeInt16BE(-1, at);
  const length = buf.write(value, at + 2, "utf8");
  buf.writeInt16BE(length, at);
  return at + 2 + length;
}
