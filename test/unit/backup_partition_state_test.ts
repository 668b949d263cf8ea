import assert from "node:assert/strict";
import {
  alignment,
  isAtEnd,
  keptAcrossRebalance,
  largestOpen,
  startState,
} from "../../lib/backup/partition_state.ts";

Deno.test("a fetch at or before the position is read; past it, the consumer seeks back once, then it is a gap", () => {
  const state = startState("t", 0, 100);
  assert.equal(alignment(state, 100), "read");
  assert.equal(alignment(state, 90), "read"); // a compressed batch may start earlier
  assert.equal(alignment(state, 150), "seek");
  state.sought = true;
  assert.equal(alignment(state, 150), "gap");
});

Deno.test("once mode: a partition is done at the end captured at start, never without one", () => {
  const state = startState("t", 0, 10);
  assert.equal(isAtEnd(state, 10), true);
  assert.equal(isAtEnd(state, 11), false);
  assert.equal(isAtEnd(state, undefined), false);
});

Deno.test("the open chunk stored early is the one holding the most payload", () => {
  const states = [startState("t", 0, 0), startState("t", 1, 0), startState("t", 2, 0)];
  assert.equal(largestOpen(states), null);
  states[0].chunk = { bytes: 10 };
  states[2].chunk = { bytes: 30 };
  assert.equal(largestOpen(states), states[2]);
});

Deno.test("only the same member keeps the partitions it still owns across a rebalance", () => {
  const assignment = { a: [0, 2], b: [1] };
  assert.deepEqual([...keptAcrossRebalance(true, assignment)].sort(), ["a/0", "a/2", "b/1"]);
  assert.deepEqual([...keptAcrossRebalance(false, assignment)], []);
});
