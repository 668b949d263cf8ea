/**
 * The pure record-batch decoder against bytes a real broker wrote: two log segments of a
 * test broker (kcat produced 3 records with headers, then 1 with an empty header value,
 * uncompressed and gzip), with kafkajs's own decoder as the oracle.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { gunzipSync } from "node:zlib";
import {
  batchEnd,
  checkBatchCrc,
  COMPRESSION_MASK,
  CorruptBatchError,
  decodeRecords,
  readBatchHeader,
  recordsStart,
} from "../../lib/kafka/protocol/record_batch.ts";
import type { WireRecord } from "../../lib/kafka/protocol/records.ts";
import { kafkajsOriginals } from "../../lib/kafka/patches/batch_decoder.ts";
import "../../lib/kafka/kafkajs.ts";

const Decoder = createRequire(import.meta.url)("kafkajs/src/protocol/decoder.js");
const fixture = (name: string) =>
  Deno.readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

/** Every record of a log segment, through the protocol layer only. */
function decodeSegment(log: Uint8Array): WireRecord[] {
  const records: WireRecord[] = [];
  for (let at = 0; at < log.length;) {
    const header = readBatchHeader(log, at);
    checkBatchCrc(log, at, header);
    const end = batchEnd(at, header);
    const body = log.subarray(recordsStart(at), end);
    const gzip = (header.attributes & COMPRESSION_MASK) === 1;
    records.push(...decodeRecords({ buf: gzip ? gunzipSync(body) : body, at: 0 }, header));
    at = end;
  }
  return records;
}

const expected = [
  [0, "key-1", "value one", [["trace", "abc"], ["dup", "1"], ["dup", "2"]]],
  [1, "key-2", "", [["trace", "abc"], ["dup", "1"], ["dup", "2"]]],
  [2, "key-3", "value three with more text", [["trace", "abc"], ["dup", "1"], ["dup", "2"]]],
  [3, null, "plain-value", [["empty", ""]]],
];

for (const codec of ["none", "gzip"]) {
  Deno.test(`records a broker wrote (${codec}) decode to their offsets, keys, values and ordered headers`, async () => {
    const log = fixture(`broker_log_${codec}.bin`);
    const records = decodeSegment(log);
    assert.deepEqual(
      records.map((
        r,
      ) => [r.offset, text(r.key), text(r.value), r.headers.map(([k, v]) => [k, text(v)])]),
      expected,
    );
    // kafkajs's own decoder agrees on every offset, timestamp, key and value.
    const decoder = new Decoder(Buffer.from(log));
    const theirs = [];
    while (decoder.offset < log.length) {
      theirs.push(...(await kafkajsOriginals.decodeRecordBatch(decoder)).records);
    }
    assert.deepEqual(
      records.map((r) => [String(r.offset), String(r.timestamp), text(r.key), text(r.value)]),
      theirs.map((
        m: { offset: string; timestamp: string; key: Buffer; value: Buffer },
      ) => [m.offset, m.timestamp, text(m.key), text(m.value)]),
    );
  });
}

Deno.test("one changed byte of a broker-written batch fails its CRC32C, naming the batch's offset", () => {
  const log = fixture("broker_log_none.bin");
  const header = readBatchHeader(log, 0);
  const damaged = Uint8Array.from(log);
  damaged[batchEnd(0, header) - 1] ^= 0x01;
  assert.throws(
    () => checkBatchCrc(damaged, 0, readBatchHeader(damaged, 0)),
    (error) =>
      error instanceof CorruptBatchError && /offset 0 fails its CRC32C/.test(error.message),
  );
});
