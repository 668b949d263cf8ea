import assert from "node:assert/strict";
import { ByteBudget } from "../../lib/util/byte_budget.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("a byte budget makes reservations wait, in order, until enough is freed", async () => {
  const budget = new ByteBudget(100);
  const freeA = await budget.reserve(60);
  const granted: string[] = [];
  const b = budget.reserve(50).then((free) => (granted.push("b"), free));
  const c = budget.reserve(10).then((free) => (granted.push("c"), free));
  await tick();
  assert.deepEqual(granted, [], "c fits but waits behind b: first come, first served");
  assert.equal(budget.held, 60);
  freeA();
  const freeB = await b;
  const freeC = await c;
  assert.deepEqual(granted, ["b", "c"]);
  assert.equal(budget.held, 60);
  freeB();
  freeB();
  assert.equal(budget.held, 10, "freeing twice frees once");
  freeC();
  assert.equal(budget.held, 0);
});

Deno.test("a reservation larger than the budget is granted alone, never refused", async () => {
  const budget = new ByteBudget(100);
  const freeSmall = await budget.reserve(10);
  let bigGranted = false;
  const big = budget.reserve(500).then((free) => ((bigGranted = true), free));
  await tick();
  assert.equal(bigGranted, false);
  freeSmall();
  const freeBig = await big;
  assert.equal(budget.held, 500);
  let nextGranted = false;
  const next = budget.reserve(1).then((free) => ((nextGranted = true), free));
  await tick();
  assert.equal(nextGranted, false, "nothing else while the oversized one is held");
  freeBig();
  (await next)();
  assert.equal(budget.held, 0);
});
