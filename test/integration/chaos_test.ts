/** The short chaos run of the test suite: each disruption once, with kill -9 during backup and restore. */
import assert from "node:assert/strict";
import {
  chaosIteration,
  type ForcedDisruptions,
  lostAndDuplicated,
  seededRandom,
} from "../chaos/chaos.ts";
import { canMount } from "../helpers/tmpfs.ts";

Deno.test("the lost/duplicated counter sees both kinds of damage", () => {
  assert.deepEqual(lostAndDuplicated(["a", "b", "c"], ["a", "a", "c"]), { lost: 1, duplicated: 1 });
  assert.deepEqual(lostAndDuplicated(["a", "b"], ["b", "a"]), { lost: 0, duplicated: 0 });
});

// Each disruption is seen at least once, on each kind of storage: the disk filling under a
// local backup, the broker crashing under a restore and under a backup, the object store
// cut off and failing a third of its requests, Azurite restarted, and a second backup
// process joining the group.
const FORCED: ForcedDisruptions[] = [
  { storage: "local", backup: canMount ? "disk full" : "none", restore: "broker crash" },
  { storage: "s3", backup: "storage cut", restore: "throttling" },
  { storage: "azure", backup: "throttling", restore: "azurite restart" },
  { storage: "azure", backup: "second member", restore: "storage cut" },
  { storage: "s3", backup: "broker crash", restore: "none" },
];

Deno.test("a short chaos run (each disruption once, kill -9) loses and duplicates nothing", async () => {
  const seed = Date.now() % 100000;
  const random = seededRandom(seed);
  for (let i = 1; i <= FORCED.length; i++) {
    const r = await chaosIteration(i, 2000, random, FORCED[i - 1]);
    const what = `iteration ${i} (${r.storage}, ${r.disruptions.join(", ")}, seed ${seed})`;
    assert.deepEqual(r.failures, [], what);
    assert.deepEqual(
      [r.archiveLost, r.archiveDuplicated, r.restoreLost, r.restoreDuplicated],
      [0, 0, 0, 0],
      what,
    );
    // The disruptions really happened: the full disk stopped the backup, requests failed.
    if (FORCED[i - 1].backup === "disk full") assert.equal(r.diskFullExits, 1, what);
    if (r.disruptions.some((d) => d.endsWith("throttling"))) assert.ok(r.storageFaults > 0, what);
  }
});
