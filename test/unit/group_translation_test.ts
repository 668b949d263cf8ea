import assert from "node:assert/strict";
import { commitsFor, GroupTranslator } from "../../lib/restore/group_translation.ts";
import type { GroupTask } from "../../lib/restore/group_plan.ts";
import type { ArchivedRecord } from "../../lib/archive/record.ts";

const records = (offsets: number[]): ArchivedRecord[] =>
  offsets.map((offset) => ({ offset, timestamp: 0, key: null, value: null, headers: [] }));

const task = (offset: number | null, target = "g"): GroupTask => ({
  source: "g",
  target,
  offset,
  metadata: null,
});

Deno.test("strategy same: the first record at or past the group's offset is its candidate, once", () => {
  const translator = new GroupTranslator([task(12)], "same", 2, 3);
  const rs = records([10, 11, 13, 14]); // 12 is a gap
  const candidates = translator.candidates(rs, [2, 2, 2, 2]);
  assert.deepEqual(candidates.map((c) => [c.targetPartition, c.recordIndex]), [[2, 2]]);
  translator.settle(candidates);
  assert.deepEqual(translator.candidates(records([15]), [2]), []);
  assert.deepEqual(translator.endCandidates(), []);
});

Deno.test("strategy same: a group past every restored record gets the partition's end", () => {
  const translator = new GroupTranslator([task(100)], "same", 0, 1);
  assert.deepEqual(translator.candidates(records([1, 2, 3]), [0, 0, 0]), []);
  assert.deepEqual(
    translator.endCandidates().map((c) => [c.targetPartition, c.recordIndex]),
    [[0, -1]],
  );
});

Deno.test("strategy random: one candidate per target partition, the first unconsumed record in it", () => {
  const translator = new GroupTranslator([task(5)], "random", 0, 2);
  const rs = records([4, 5, 6, 7]);
  const candidates = translator.candidates(rs, [1, 0, 0, 1]);
  assert.deepEqual(candidates.map((c) => [c.targetPartition, c.recordIndex]), [[0, 1], [1, 3]]);
});

Deno.test("a partition the group never committed on counts as nothing consumed (random, key)", () => {
  const translator = new GroupTranslator([task(null)], "key", 1, 2);
  const candidates = translator.candidates(records([0, 1]), [1, 0]);
  assert.deepEqual(candidates.map((c) => [c.targetPartition, c.recordIndex]), [[1, 0], [0, 1]]);
});

Deno.test("only an offset lower than the group's committed one is committed", () => {
  const translator = new GroupTranslator([task(0, "a"), task(0, "b")], "random", 0, 2);
  const [a0, a1, b0, b1] = translator.candidates(records([0, 1]), [0, 1]);
  const landed = [
    { candidate: a0, targetOffset: 10 },
    { candidate: a1, targetOffset: 20 },
    { candidate: b0, targetOffset: 10 },
    { candidate: b1, targetOffset: 20 },
  ];
  const current = new Map([["a/0", 5], ["a/1", 25], ["b/0", 10]]);
  const commits = commitsFor(landed, (g, p) => current.get(`${g}/${p}`) ?? null, "t");
  assert.deepEqual(commits, [
    {
      consumerGroupId: "a",
      topics: [{ topic: "t", partitions: [{ partition: 1, offset: "20", metadata: null }] }],
    },
    {
      consumerGroupId: "b",
      topics: [{ topic: "t", partitions: [{ partition: 1, offset: "20", metadata: null }] }],
    },
  ]);
});
