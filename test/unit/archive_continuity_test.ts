import assert from "node:assert/strict";
import { checkContinuity } from "../../lib/archive/continuity.ts";
import { chunkKey } from "../../lib/archive/keys.ts";

const chunk = (from: number, to: number, partition = 0) => ({
  key: chunkKey("t", partition, from, to),
  topic: "t",
  partition,
  from,
  to,
});

Deno.test("adjacent chunks have no holes and no overlaps", () => {
  const result = checkContinuity([chunk(0, 9), chunk(10, 10), chunk(11, 99)]);
  assert.deepEqual(result, { holes: [], overlaps: [] });
  assert.deepEqual(checkContinuity([]), { holes: [], overlaps: [] });
});

Deno.test("a missing range between chunks is a hole naming both neighbours", () => {
  const { holes, overlaps } = checkContinuity([chunk(20, 29), chunk(0, 9)]);
  assert.deepEqual(holes, [{
    from: 10,
    to: 19,
    after: chunk(0, 9).key,
    before: chunk(20, 29).key,
  }]);
  assert.deepEqual(overlaps, []);
});

Deno.test("chunks that cover the same offsets are reported as overlaps", () => {
  const { holes, overlaps } = checkContinuity([chunk(0, 9), chunk(5, 14), chunk(15, 20)]);
  assert.deepEqual(holes, []);
  assert.deepEqual(overlaps, [{
    from: 5,
    to: 9,
    first: chunk(0, 9).key,
    second: chunk(5, 14).key,
  }]);
});

Deno.test("a chunk inside a larger one overlaps it and hides no hole after it", () => {
  const { holes, overlaps } = checkContinuity([chunk(0, 99), chunk(10, 19), chunk(100, 109)]);
  assert.deepEqual(holes, []);
  assert.deepEqual(overlaps.map((o) => [o.from, o.to]), [[10, 19]]);
});

Deno.test("offsets before the first chunk are not a hole", () => {
  assert.deepEqual(checkContinuity([chunk(500, 599)]).holes, []);
});

Deno.test("checkContinuity refuses chunks of different partitions", () => {
  assert.throws(() => checkContinuity([chunk(0, 9, 0), chunk(10, 19, 1)]), RangeError);
});
