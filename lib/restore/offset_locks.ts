/**
 * Locks on (target group, target partition) shared by every producer Worker of a restore:
 * the main thread grants them, the Workers ask by message. A request takes all its keys
 * at once, and requests are granted in the order they came, a waiting request holding
 * back later ones on the same keys, so no request waits for ever and none deadlocks.
 * (See group_translation.ts for why group offsets need them.)
 */

/** Main thread: the lock table. `grant(owner, id)` tells a Worker its request is granted. */
interface LockRequest {
  owner: number;
  id: number;
  keys: string[];
}

export class LockServer {
  readonly #held = new Map<string, string>();
  #queue: LockRequest[] = [];

  constructor(private readonly grant: (owner: number, id: number) => void) {}

  request(owner: number, id: number, keys: string[]): void {
    this.#queue.push({ owner, id, keys });
    this.#grantWaiting();
  }

  release(owner: number, id: number): void {
    const token = `${owner}:${id}`;
    for (const [key, holder] of this.#held) if (holder === token) this.#held.delete(key);
    this.#grantWaiting();
  }

  #grantWaiting(): void {
    const blocked = new Set(this.#held.keys());
    const waiting: LockRequest[] = [];
    for (const request of this.#queue) {
      if (request.keys.some((key) => blocked.has(key))) {
        for (const key of request.keys) blocked.add(key);
        waiting.push(request);
        continue;
      }
      for (const key of request.keys) {
        this.#held.set(key, `${request.owner}:${request.id}`);
        blocked.add(key);
      }
      this.grant(request.owner, request.id);
    }
    this.#queue = waiting;
  }
}

/** A Worker's side: `lock` resolves with the release function once the keys are granted. */
export class LockClient {
  #nextId = 0;
  readonly #waiting = new Map<number, () => void>();

  constructor(
    private readonly post: (
      message: { type: "lock" | "unlock"; id: number; keys?: string[] },
    ) => void,
  ) {}

  lock(keys: string[]): Promise<() => void> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      let released = false;
      this.#waiting.set(id, () =>
        resolve(() => {
          if (released) return;
          released = true;
          this.post({ type: "unlock", id });
        }));
      this.post({ type: "lock", id, keys: [...new Set(keys)] });
    });
  }

  /** The main thread granted request `id`. */
  granted(id: number): void {
    this.#waiting.get(id)?.();
    this.#waiting.delete(id);
  }
}
