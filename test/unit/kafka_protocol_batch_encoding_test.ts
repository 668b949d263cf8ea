import assert from "node:assert/strict";
import { batchBytes, planBatch, writeBatchAt } from "../../lib/kafka/protocol/batch_encoding.ts";
import {
  checkBatchCrc,
  decodeRecords,
  readBatchHeader,
  recordsStart,
  TRANSACTIONAL_FLAG,
} from "../../lib/kafka/protocol/record_batch.ts";
import { checkKafkajsVersion, KAFKAJS_VERSION } from "../../lib/kafka/patches/install.ts";

const b = (s: string) => new TextEncoder().encode(s);

Deno.test("a batch written in place decodes back to its records, with a valid CRC32C", () => {
  const records = [
    { timestamp: 1000, key: b("a"), value: null, headers: [["h", b("1")], ["h", null]] as const },
    { timestamp: -1, key: null, value: b(""), headers: [] },
    {
      timestamp: 2 ** 42,
      key: b("c"),
      value: b("v".repeat(300)),
      headers: [["é", b("")]] as const,
    },
  ];
  const batch = planBatch(records, 5)!;
  const buf = new Uint8Array(batchBytes(batch) + 7);
  const producer = { transactional: true, producerId: 42n, producerEpoch: 3, baseSequence: 9 };
  assert.equal(writeBatchAt(buf, 7, batch, producer), buf.length);
  const header = readBatchHeader(buf, 7);
  checkBatchCrc(buf, 7, header);
  assert.deepEqual(
    [header.baseTimestamp, header.maxTimestamp, header.producerId, header.baseSequence],
    [-1n, 2n ** 42n, 42n, 9],
  );
  assert.equal(header.attributes & TRANSACTIONAL_FLAG, TRANSACTIONAL_FLAG);
  const decoded = decodeRecords({ buf, at: recordsStart(7) }, header);
  assert.deepEqual(
    decoded.map((r) => ({
      timestamp: r.timestamp,
      key: r.key,
      value: r.value,
      headers: r.headers,
    })),
    records.map((r) => ({ ...r, headers: r.headers.map(([k, v]) => [k, v]) })),
  );
  assert.deepEqual(decoded.map((r) => r.offset), [0, 1, 2]);
});

Deno.test("records the in-place encoder cannot write are left to kafkajs (null)", () => {
  assert.equal(planBatch([{ timestamp: 0.5, key: null, value: null, headers: [] }], 0), null);
  const text = { timestamp: 0, key: "k" as unknown as Uint8Array, value: null, headers: [] };
  assert.equal(planBatch([text], 0), null);
});

Deno.test("the patches refuse any kafkajs but the one they were written for", () => {
  checkKafkajsVersion(KAFKAJS_VERSION);
  assert.throws(() => checkKafkajsVersion("2.2.5"), /kafkajs 2.2.5 is installed, but .* 2.2.4/);
});
