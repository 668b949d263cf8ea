import assert from "node:assert/strict";
import { RateLimiter } from "../../lib/util/rate_limiter.ts";

/** A clock that only moves when the limiter sleeps. */
function fakeTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: (ms: number) => Promise.resolve(void (now += ms)),
    at: () => now,
  };
}

Deno.test("after its first second's worth, the limiter keeps takes at its rate", async () => {
  const time = fakeTime();
  const limiter = new RateLimiter(1000, time.now, time.sleep);
  for (let i = 0; i < 50; i++) await limiter.take(100); // 5,000 units at 1,000/s
  // The bucket starts full (1,000), so the other 4,000 take 4 s.
  assert.equal(time.at(), 4000);
});

Deno.test("a take larger than the bucket borrows and waits it off, keeping the session alive", async () => {
  const time = fakeTime();
  const limiter = new RateLimiter(1000, time.now, time.sleep);
  let heartbeats = 0;
  await limiter.take(4500, () => Promise.resolve(void heartbeats++));
  assert.equal(time.at(), 3500);
  assert.equal(heartbeats, 3);
  assert.equal(limiter.waitFor(1), 1);
});
