/**
 * Replaces: kafkajs's Fetch v11 response decoder (the version kafkajs speaks to every
 * broker since Kafka 2.3), the same but for one thing. Why: a record batch that fails its
 * CRC32C check (batch_decoder.ts) must be reported with its topic and partition, which
 * only this level of the response knows.
 */
import { createRequire } from "node:module";
import { IntegrityError } from "../../errors.ts";
import { CorruptBatchError } from "../protocol/record_batch.ts";

const require = createRequire(import.meta.url);
// deno-lint-ignore no-explicit-any
type Any = any;
const fetch = "kafkajs/src/protocol/requests/fetch";
/** kafkajs's modules this patch uses, required by `install` (patches/install.ts says why). */
let kafkajs: { Decoder: Any; decodeMessages: Any };

const decodeAbortedTransactions = (decoder: Any) => ({
  producerId: decoder.readInt64().toString(),
  firstOffset: decoder.readInt64().toString(),
});

const decodePartition = (topic: string) => async (decoder: Any) => {
  const head = {
    partition: decoder.readInt32(),
    errorCode: decoder.readInt16(),
    highWatermark: decoder.readInt64().toString(),
    lastStableOffset: decoder.readInt64().toString(),
    lastStartOffset: decoder.readInt64().toString(),
    abortedTransactions: decoder.readArray(decodeAbortedTransactions),
    preferredReadReplica: decoder.readInt32(),
  };
  try {
    return { ...head, messages: await kafkajs.decodeMessages(decoder) };
  } catch (error) {
    if (!(error instanceof CorruptBatchError)) throw error;
    throw new IntegrityError(
      `Kafka sent a damaged record batch of ${topic}/${head.partition}: ${error.message}. ` +
        "Nothing of it was stored. A batch damaged on its way is read again by the next run; " +
        "one damaged in the broker's log fails the same way (check that partition's log " +
        "segments on the broker).",
      { cause: error },
    );
  }
};

const decodeResponse = async (decoder: Any) => {
  const topicName = decoder.readString();
  return { topicName, partitions: await decoder.readArrayAsync(decodePartition(topicName)) };
};

export async function decodeFetchResponse(rawData: Uint8Array) {
  const decoder = new kafkajs.Decoder(rawData);
  const clientSideThrottleTime = decoder.readInt32();
  const errorCode = decoder.readInt16();
  const sessionId = decoder.readInt32();
  const responses = await decoder.readArrayAsync(decodeResponse);
  // As kafkajs: the broker did not throttle; a client-side throttle time asks us to.
  return { throttleTime: 0, clientSideThrottleTime, errorCode, sessionId, responses };
}

/** kafkajs's own decoder, kept for the tests that compare the two. */
export const kafkajsOriginals: { fetchResponse: Any } = { fetchResponse: null };

export function install(): void {
  // After batch_decoder.ts: decodeMessages captures the batch decoder when it loads.
  kafkajs = {
    Decoder: require("kafkajs/src/protocol/decoder.js"),
    decodeMessages: require(`${fetch}/v4/decodeMessages.js`),
  };
  const path = require.resolve(`${fetch}/v11/response.js`);
  kafkajsOriginals.fetchResponse = require(path);
  const { parse } = require(`${fetch}/v1/response.js`);
  require.cache[path]!.exports = { decode: decodeFetchResponse, parse };
}
