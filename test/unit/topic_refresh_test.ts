import assert from "node:assert/strict";
import { layoutChanges } from "../../lib/backup/topic_refresh.ts";

const layout = (counts: Record<string, number>) => ({
  topics: Object.keys(counts).sort(),
  partitionCounts: counts,
});

Deno.test("a topic refresh names new topics, added partitions and deleted topics", () => {
  assert.deepEqual(
    layoutChanges(layout({ a: 1, b: 3, gone: 2 }), layout({ a: 2, b: 3, c: 4 })),
    [
      "a has 2 partitions (was 1)",
      "new topic c (4 partitions)",
      "topic gone is gone from the cluster (its archive stays)",
    ],
  );
});

Deno.test("the same topics with the same partitions are no change", () => {
  assert.deepEqual(layoutChanges(layout({ a: 1, b: 3 }), layout({ b: 3, a: 1 })), []);
});
