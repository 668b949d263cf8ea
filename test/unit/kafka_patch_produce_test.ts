import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { consumedRecord, producedMessage } from "../../lib/kafka/kafkajs.ts";
import {
  kafkajsOriginals as produceOriginals,
  produceRequest,
} from "../../lib/kafka/patches/produce_request.ts";
import { FRAME_ROOM_BYTES } from "../../lib/kafka/patches/frame_room.ts";
import { decodeRecordBatch } from "../../lib/kafka/patches/batch_decoder.ts";
import {
  createRequest,
  kafkajsOriginals as framingOriginals,
} from "../../lib/kafka/patches/request_framing.ts";

const kafkajsProduceRequest = produceOriginals.produceRequest;
const kafkajsCreateRequest = framingOriginals.createRequest;

const require = createRequire(import.meta.url);
const Decoder = require("kafkajs/src/protocol/decoder.js");
const Long = require("kafkajs/src/utils/long.js");

const b = (s: string) => Buffer.from(s);

/** Messages as restore sends them: records of bytes, ordered headers (adapters.ts). */
function restoreMessages(count: number, base = 1_700_000_000_000) {
  return Array.from({ length: count }, (_, i) =>
    producedMessage({
      key: i % 5 === 0 ? null : b(`key-${i}`),
      value: i % 7 === 0 ? Buffer.alloc(0) : b(`value ${i} `.repeat(i % 30)),
      timestamp: base + ((i * 7919) % 1000),
      headers: i % 3 === 0 ? [] : [["a", b("1")], ["b", null], ["a", b(`${i}`)]],
    }, 0));
}

function request(messages: unknown[], extra: Record<string, unknown> = {}) {
  return {
    acks: -1,
    timeout: 30000,
    transactionalId: "tx-1",
    producerId: Long.fromValue("4242"),
    producerEpoch: 3,
    topicData: [
      { topic: "t", partitions: [{ partition: 2, firstSequence: 17, messages }] },
      {
        topic: "u",
        partitions: [{ partition: 0, firstSequence: 0, messages: messages.slice(0, 3) }],
      },
    ],
    ...extra,
  };
}

async function encodeBoth(args: unknown): Promise<[Buffer, Buffer]> {
  const fast = await produceRequest(args).encode();
  const original = await kafkajsProduceRequest(args).encode();
  return [fast.buffer, original.buffer];
}

Deno.test("the fast produce request is byte for byte kafkajs's for what restore sends", async () => {
  // Same-length timestamps: kafkajs's string sort then agrees with the numeric order.
  const [fast, original] = await encodeBoth(request(restoreMessages(500)));
  assert.equal(fast.length, original.length);
  assert.deepEqual(fast, original);
});

Deno.test("messages off the fast path (text values, compression) are encoded by kafkajs", async () => {
  const text = [{ key: "k", value: "v", timestamp: "1700000000000" }];
  const [fast, original] = await encodeBoth(request(text));
  assert.deepEqual(fast, original);
  const gzip = request(restoreMessages(20), { compression: 1 });
  const [fastGzip, originalGzip] = await encodeBoth(gzip);
  // gzip output embeds no time, so the two encodings match too.
  assert.deepEqual(fastGzip, originalGzip);
});

Deno.test("a fast batch decodes to the records sent, with numeric first and max timestamps", async () => {
  const messages = restoreMessages(3);
  messages[0].timestamp = "-1";
  messages[1].timestamp = String(2 ** 42); // a delta far past 2^30 (message fields win)
  const encoded = await produceRequest(request(messages)).encode();
  // Request head: transactional id, acks, timeout, topic array, first topic name.
  const decoder = new Decoder(encoded.buffer);
  decoder.readString();
  decoder.readInt16();
  decoder.readInt32();
  decoder.readInt32();
  assert.equal(decoder.readString(), "t");
  decoder.readInt32(); // partitions
  assert.equal(decoder.readInt32(), 2);
  decoder.readInt32(); // record set size
  const batch = await decodeRecordBatch(decoder);
  assert.equal(batch.firstTimestamp, "-1");
  assert.equal(batch.maxTimestamp, String(2 ** 42));
  assert.equal(batch.producerId, "4242");
  assert.equal(batch.producerEpoch, 3);
  assert.equal(batch.firstSequence, 17);
  assert.equal(batch.inTransaction, true);
  assert.deepEqual(batch.records.map((r: { timestamp: string }) => r.timestamp), [
    "-1",
    String(2 ** 42),
    messages[2].timestamp,
  ]);
  assert.deepEqual(batch.records.map((r: { offset: string }) => r.offset), ["0", "1", "2"]);
  assert.deepEqual(
    batch.records.map((r: { key: Buffer | null }) => r.key),
    messages.map((m) => m.key),
  );
  assert.deepEqual(consumedRecord(batch.records[1]).headers, [["a", b("1")], ["b", null], [
    "a",
    b("1"),
  ]]);
});

Deno.test("the request frame is byte for byte kafkajs's, with and without a client id", async () => {
  const produce = produceRequest(request(restoreMessages(50)));
  for (const clientId of ["kafka-restore-1", "ünïcode", null]) {
    const args = { correlationId: 2 ** 31 - 7, clientId, request: produce };
    const fast = await createRequest(args);
    const original = await kafkajsCreateRequest(args);
    assert.deepEqual(fast.buffer, original.buffer);
  }
});

Deno.test("a client id too long for the produce body's frame room is framed by a copy, same bytes", async () => {
  const produce = produceRequest(request(restoreMessages(5)));
  const args = { correlationId: 1, clientId: "c".repeat(FRAME_ROOM_BYTES), request: produce };
  const fast = await createRequest(args);
  assert.deepEqual(fast.buffer, (await kafkajsCreateRequest(args)).buffer);
});
