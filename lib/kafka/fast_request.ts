/**
 * kafkajs's request framing (size, api key and version, correlation id, client id, then
 * the body), swapped in through the CommonJS module cache before kafkajs first requires
 * it. kafkajs copies the body twice, into two growing encoders; this writes the frame
 * into one buffer of its exact size, copying the body once, or, for a produce body that
 * left room for it (fast_produce.ts), right in front of the body, copying nothing. For a
 * restore every produced byte went through those copies. The bytes are the same.
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { encoderOf, FRAME_ROOM, stringBytes, writeString } from "./wire.ts";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;

interface RequestArgs {
  correlationId: number;
  clientId: string | null;
  request: { apiKey: number; apiVersion: number; encode: () => Promise<Any> | Any };
}

async function createRequest({ correlationId, clientId, request }: RequestArgs): Promise<Any> {
  const payload = await request.encode();
  const body: Uint8Array = payload.buffer;
  const frameBytes = 2 + 2 + 4 + stringBytes(clientId) + body.length;
  const headBytes = 4 + frameBytes - body.length;
  const room: Buffer | undefined = payload[FRAME_ROOM];
  const inPlace = room !== undefined && room.buffer === body.buffer &&
    body.byteOffset - room.byteOffset >= headBytes;
  const buf = inPlace
    ? room.subarray(body.byteOffset - room.byteOffset - headBytes)
    : Buffer.allocUnsafe(4 + frameBytes);
  let at = buf.writeInt32BE(frameBytes, 0);
  at = buf.writeInt16BE(request.apiKey, at);
  at = buf.writeInt16BE(request.apiVersion, at);
  at = buf.writeInt32BE(correlationId, at);
  at = writeString(buf, at, clientId);
  if (!inPlace) buf.set(body, at);
  return encoderOf(buf);
}

const path = require.resolve("kafkajs/src/protocol/request.js");
/** kafkajs's own framing, kept for the tests that compare the two. */
export const kafkajsCreateRequest: Any = require(path);
require.cache[path]!.exports = createRequest;
export { createRequest };
