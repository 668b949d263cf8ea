import assert from "node:assert/strict";
import { encodeRecord as writeRecord } from "../../lib/kafka/protocol/record_encoding.ts";
import { field, varint } from "../helpers/kafka_wire.ts";

function reference(
  offsetDelta: number,
  timestampDelta: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: Array<[string, Uint8Array | null]>,
): number[] {
  const body = [
    0,
    ...varint(timestampDelta),
    ...varint(offsetDelta),
    ...field(key),
    ...field(value),
  ];
  body.push(...varint(headers.length));
  for (const [name, v] of headers) body.push(...field(new TextEncoder().encode(name)), ...field(v));
  return [...varint(body.length), ...body];
}

const b = (...values: number[]) => new Uint8Array(values);

Deno.test("a record is written byte for byte as the protocol spec says", () => {
  const cases: Array<Parameters<typeof reference>> = [
    [0, 0, null, null, []],
    [1, 5, b(), b(), []],
    [63, -1, b(1, 2, 3), null, [["a", b(9)], ["b", null], ["a", b()]]],
    [64, -64, null, new Uint8Array(300).fill(7), [["ü-ключ", b(0xff, 0)]]],
    [100_000, 2 ** 29, b(0), new Uint8Array(70_000).fill(1), [["", null]]],
    [2 ** 30 - 1, -(2 ** 30) + 1, b(5), b(6), []],
  ];
  for (const args of cases) {
    const written = writeRecord(...args);
    assert.ok(written !== null, `fast path for ${args.slice(0, 2)}`);
    assert.deepEqual([...written], reference(...args), `record ${args.slice(0, 2)}`);
  }
});

Deno.test("fields outside the fast path are left to kafkajs (null), never written wrong", () => {
  assert.equal(writeRecord(0, 2 ** 30, null, null, []), null, "a delta of 2^30");
  assert.equal(writeRecord(0, -(2 ** 40), null, null, []), null, "a large negative delta");
  assert.equal(writeRecord(0, 0, "text", null, []), null, "a string key");
  assert.equal(writeRecord(0, 0, null, 5, []), null, "a number value");
  assert.equal(writeRecord(0, 0.5, null, null, []), null, "a fractional delta");
  assert.equal(writeRecord(0, 0, null, null, [["h", "v" as unknown as Uint8Array]]), null);
});
