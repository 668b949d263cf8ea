import assert from "node:assert/strict";
import {
  ConditionSpells,
  PERSISTS_AFTER_MS,
  routineCondition,
} from "../../lib/kafka/routine_conditions.ts";

Deno.test("kafkajs's wordings of a rebalance, a completing transaction and a loading coordinator are routine", () => {
  const lines = [
    "kafkajs Response Heartbeat(key: 12, version: 3): The group is rebalancing, so a rejoin is needed",
    "kafkajs Response AddPartitionsToTxn(key: 24, version: 1): The producer attempted to update a " +
    "transaction while another concurrent operation on the same transaction was ongoing",
    "kafkajs Response OffsetFetch: The coordinator is loading and hence can't process requests",
  ];
  assert.deepEqual(lines.map(routineCondition), [
    "the group is rebalancing",
    "a transaction is still completing",
    "a coordinator is loading",
  ]);
  assert.equal(routineCondition("kafkajs Connection error: connect ECONNREFUSED"), null);
});

Deno.test("a routine condition is DEBUG until a spell of it lasts 30 s, then one WARNING", () => {
  const spells = new ConditionSpells();
  const t0 = 1_000_000;
  const seen: string[] = [];
  for (let t = t0; t <= t0 + PERSISTS_AFTER_MS + 5_000; t += 1_000) {
    seen.push(spells.sighted("the group is rebalancing", t));
  }
  assert.equal(seen.filter((s) => s === "warn").length, 1);
  assert.equal(seen.indexOf("warn"), PERSISTS_AFTER_MS / 1_000);
});

Deno.test("a pause of more than 10 s ends a spell: sightings around it stay DEBUG", () => {
  const spells = new ConditionSpells();
  const t0 = 1_000_000;
  const at = [0, 9_000, 20_000, 29_000, 40_000].map((d) => t0 + d);
  assert.deepEqual(at.map((t) => spells.sighted("a coordinator is loading", t)), [
    "debug",
    "debug",
    "debug",
    "debug",
    "debug",
  ]);
});
