/**
 * A token bucket: `take(n)` waits until n more units (bytes or records) may go without
 * the rate passing `perSecond`, over any stretch of time longer than a second (the bucket
 * holds at most one second's worth, so a pause earns no burst beyond that). A take larger
 * than the bucket borrows and waits it off.
 */
export class RateLimiter {
  #tokens: number;
  #last: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.#tokens = perSecond;
    this.#last = now();
  }

  /** Milliseconds `take(n)` would wait now (takes nothing). */
  waitFor(n: number): number {
    this.#refill();
    return this.#tokens >= n ? 0 : ((n - this.#tokens) / this.perSecond) * 1000;
  }

  /** Takes `n` units, waiting first as long as the rate requires; `during` runs while it waits. */
  async take(n: number, during?: () => Promise<void>): Promise<void> {
    let wait = this.waitFor(n);
    this.#tokens -= n;
    // Waits in steps of at most a second, so a caller can keep a session alive meanwhile.
    while (wait > 0) {
      const step = Math.min(wait, 1000);
      await this.sleep(step);
      wait -= step;
      if (wait > 0) await during?.();
    }
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(
      this.perSecond,
      this.#tokens + ((now - this.#last) / 1000) * this.perSecond,
    );
    this.#last = now;
  }
}
