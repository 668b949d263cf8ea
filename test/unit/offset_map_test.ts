import assert from "node:assert/strict";
import { offsetMapMessages, offsetRuns } from "../../lib/restore/offset_map.ts";

Deno.test("consecutive source offsets become one run; a gap starts a new one", () => {
  assert.deepEqual(offsetRuns([10, 11, 12, 20, 21], 100), [[10, 100, 3], [20, 103, 2]]);
  assert.deepEqual(offsetRuns([], 5), []);
});

Deno.test("the map has one record per target partition, keyed by the source partition", () => {
  const sent = new Map([[0, [5, 6]], [2, [7]]]);
  const metadata = [
    { topicName: "t", partition: 0, errorCode: 0, baseOffset: "40" },
    { topicName: "t", partition: 2, errorCode: 0, baseOffset: "9" },
  ];
  const messages = offsetMapMessages({ topic: "src", partition: 3 }, "t", sent, metadata);
  assert.equal(messages.length, 2);
  assert.equal(String(messages[0].key), "src/3");
  assert.deepEqual(JSON.parse(String(messages[1].value)), {
    sourceTopic: "src",
    sourcePartition: 3,
    targetTopic: "t",
    targetPartition: 2,
    runs: [[7, 9, 1]],
  });
});
