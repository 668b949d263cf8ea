import assert from "node:assert/strict";
import {
  chunkKey,
  chunkKeyOf,
  indexKeyOf,
  parseArchiveKey,
  partitionPrefix,
  sidecarKeyOf,
  topicPrefix,
} from "../../lib/archive/keys.ts";

Deno.test("chunkKey zero-pads both offsets to 20 digits", () => {
  assert.equal(
    chunkKey("orders", 3, 42, 99),
    "orders/3/00000000000000000042-00000000000000000099.chunk",
  );
  assert.equal(
    chunkKey("a.b_c-D", 0, 0, Number.MAX_SAFE_INTEGER),
    "a.b_c-D/0/00000000000000000000-00009007199254740991.chunk",
  );
});

Deno.test("sidecar and index keys derive from the chunk key and lead back to it", () => {
  const key = chunkKey("orders", 3, 42, 99);
  assert.equal(sidecarKeyOf(key), key + ".sha256");
  assert.equal(indexKeyOf(key), key + ".json");
  for (const k of [key, sidecarKeyOf(key), indexKeyOf(key)]) assert.equal(chunkKeyOf(k), key);
  assert.throws(() => sidecarKeyOf(indexKeyOf(key)), RangeError);
  assert.throws(() => indexKeyOf("orders/3/x.chunk"), RangeError);
});

Deno.test("parseArchiveKey reads back what the key functions write, for every kind", () => {
  for (
    const [topic, partition, from, to] of [["t", 0, 0, 0], ["orders", 17, 10, 2 ** 40]] as const
  ) {
    const key = chunkKey(topic, partition, from, to);
    assert.deepEqual(parseArchiveKey(key), { topic, partition, from, to, kind: "chunk" });
    assert.equal(parseArchiveKey(sidecarKeyOf(key))?.kind, "sidecar");
    assert.equal(parseArchiveKey(indexKeyOf(key))?.kind, "index");
  }
});

Deno.test("parseArchiveKey returns null for any non-canonical key", () => {
  const pad = (n: number) => String(n).padStart(20, "0");
  const bad = [
    "orders/3/42-99.chunk",
    `orders/03/${pad(1)}-${pad(2)}.chunk`,
    `orders/3/${pad(1)}-${pad(2)}.chunk.md5`,
    `orders/3/${pad(1)}-${pad(2)}.chunkx`,
    `x/orders/3/${pad(1)}-${pad(2)}.chunk`,
    `orders/3/${pad(5)}-${pad(2)}.chunk`,
    `orders/3/0${pad(1)}-${pad(2)}.chunk`,
    `orders/3/${pad(1)}-99999999999999999999.chunk`,
    `../3/${pad(1)}-${pad(2)}.chunk`,
    `or ders/3/${pad(1)}-${pad(2)}.chunk`,
    `orders/3/${pad(1)}-${pad(2)}.chunk.json.tmp`,
    "",
  ];
  for (const key of bad) assert.equal(parseArchiveKey(key), null, key);
});

Deno.test("chunk keys sort in numeric order of their offsets", () => {
  const ranges: Array<[number, number]> = [
    [100, 199],
    [9, 9],
    [2 ** 53 - 10, 2 ** 53 - 1],
    [10, 99],
    [0, 8],
    [1_000_000_000_000, 1_000_000_000_099],
  ];
  const keys = ranges.map(([from, to]) => chunkKey("t", 1, from, to));
  const byString = [...keys].sort();
  const byNumber = [...ranges].sort((a, b) => a[0] - b[0]).map(([f, t]) => chunkKey("t", 1, f, t));
  assert.deepEqual(byString, byNumber);
});

Deno.test("chunkKey rejects bad topics, partitions and ranges", () => {
  for (const topic of ["", "a/b", ".", "..", "a b", "x".repeat(250), "ü"]) {
    assert.throws(() => chunkKey(topic, 0, 0, 1), RangeError, topic);
  }
  for (const partition of [-1, 1.5, NaN, 2 ** 31]) {
    assert.throws(() => chunkKey("t", partition, 0, 1), RangeError);
  }
  for (const [from, to] of [[-1, 1], [5, 4], [0.5, 1], [0, 2 ** 53]]) {
    assert.throws(() => chunkKey("t", 0, from, to), RangeError, `${from}-${to}`);
  }
});

Deno.test("prefixes end in a slash so partition 1 never matches partition 10", () => {
  assert.equal(topicPrefix("orders"), "orders/");
  assert.equal(partitionPrefix("orders", 1), "orders/1/");
  assert.ok(!chunkKey("orders", 10, 0, 1).startsWith(partitionPrefix("orders", 1)));
  assert.throws(() => partitionPrefix("orders", -1), RangeError);
});
