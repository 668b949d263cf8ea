/**
 * A budget of bytes shared by concurrent tasks: a task reserves what it is about to
 * hold and waits, in order, while the others hold too much. A reservation larger than
 * the whole budget is granted when nothing else is held, so progress never stops.
 */
export class ByteBudget {
  #held = 0;
  readonly #waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(readonly limit: number) {}

  /** Bytes reserved now. */
  get held(): number {
    return this.#held;
  }

  /** Waits until `bytes` fit, reserves them, and returns the function that frees them. */
  async reserve(bytes: number): Promise<() => void> {
    if (this.#waiting.length > 0 || !this.#fits(bytes)) {
      await new Promise<void>((grant) => this.#waiting.push({ bytes, grant }));
    } else {
      this.#held += bytes;
    }
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.#held -= bytes;
      this.#grantWaiting();
    };
  }

  #fits(bytes: number): boolean {
    return this.#held === 0 || this.#held + bytes <= this.limit;
  }

  #grantWaiting(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0].bytes)) {
      const next = this.#waiting.shift()!;
      this.#held += next.bytes;
      next.grant();
    }
  }
}
