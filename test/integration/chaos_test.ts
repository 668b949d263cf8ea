/** The short chaos run of the test suite: two iterations of kill -9 during backup and restore. */
import assert from "node:assert/strict";
import { chaosIteration, lostAndDuplicated, seededRandom } from "../chaos/chaos.ts";

Deno.test("the lost/duplicated counter sees both kinds of damage", () => {
  assert.deepEqual(lostAndDuplicated(["a", "b", "c"], ["a", "a", "c"]), { lost: 1, duplicated: 1 });
  assert.deepEqual(lostAndDuplicated(["a", "b"], ["b", "a"]), { lost: 0, duplicated: 0 });
});

Deno.test("a short chaos run loses and duplicates nothing", async () => {
  const random = seededRandom(Date.now() % 100000);
  for (let i = 1; i <= 2; i++) {
    const r = await chaosIteration(i, 2000, random);
    assert.deepEqual(r.failures, []);
    assert.deepEqual(
      [r.archiveLost, r.archiveDuplicated, r.restoreLost, r.restoreDuplicated],
      [0, 0, 0, 0],
      `iteration ${i} (${r.storage})`,
    );
  }
});
