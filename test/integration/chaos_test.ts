/** The short chaos run of the test suite: three iterations of kill -9 during backup and restore. */
import assert from "node:assert/strict";
import {
  chaosIteration,
  type ForcedDisruptions,
  lostAndDuplicated,
  seededRandom,
} from "../chaos/chaos.ts";

Deno.test("the lost/duplicated counter sees both kinds of damage", () => {
  assert.deepEqual(lostAndDuplicated(["a", "b", "c"], ["a", "a", "c"]), { lost: 1, duplicated: 1 });
  assert.deepEqual(lostAndDuplicated(["a", "b"], ["b", "a"]), { lost: 0, duplicated: 0 });
});

// Each disruption is seen at least once: the broker crashing under a backup and under a
// restore, the object store cut off, and a second backup process joining the group.
const FORCED: ForcedDisruptions[] = [
  { storage: "local", backup: "broker crash", restore: "none" },
  { storage: "s3", backup: "s3 cut", restore: "broker crash" },
  { storage: "local", backup: "second member", restore: "none" },
];

Deno.test("a short chaos run (broker crashes, S3 cut, a second member, kill -9) loses and duplicates nothing", async () => {
  const seed = Date.now() % 100000;
  const random = seededRandom(seed);
  for (let i = 1; i <= FORCED.length; i++) {
    const r = await chaosIteration(i, 2000, random, FORCED[i - 1]);
    assert.deepEqual(r.failures, []);
    assert.deepEqual(
      [r.archiveLost, r.archiveDuplicated, r.restoreLost, r.restoreDuplicated],
      [0, 0, 0, 0],
      `iteration ${i} (${r.storage}, ${r.disruptions.join(", ")}, seed ${seed})`,
    );
  }
});
