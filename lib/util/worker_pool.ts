/**
 * The Workers of an engine (backup consumers, restore producers): spawning them, passing
 * their messages on, and carrying a Worker's fatal error across the Worker boundary with
 * its class name, exit code and `retriable` intact. A crash of a Worker (an uncaught
 * error) is an internal error. The engine waits on `next()`: it resolves at the next
 * message or failure, or after a timeout.
 */
import { BackupToolError, ExitCode, exitCodeOf, type ExitCodeValue } from "../errors.ts";

/** A fatal error as a Worker posts it. */
export interface WorkerFailure {
  name: string;
  message: string;
  exitCode: ExitCodeValue;
  retriable: boolean;
}

/** The message a Worker posts when it cannot go on. */
export interface FatalMessage {
  type: "fatal";
  workerIndex: number;
  failure: WorkerFailure;
}

/** In a Worker: `error` as it crosses to the main thread. */
export function describeFailure(error: unknown): WorkerFailure {
  return {
    name: error instanceof Error ? error.name : "Error",
    message: error instanceof Error ? error.message : String(error),
    exitCode: exitCodeOf(error),
    retriable: error instanceof BackupToolError && error.retriable,
  };
}

/** A Worker's failure as an error of the main thread, with the same exit code. */
export class WorkerError extends BackupToolError {
  constructor(readonly failure: WorkerFailure, prefix: string) {
    super(`${prefix}${failure.message}`, failure.exitCode, { retriable: failure.retriable });
    this.name = failure.name;
  }
}

export class WorkerPool<In, Out extends { type: string; workerIndex: number }> {
  workers: Worker[] = [];
  /** The first failure of any Worker; the engine stops on it. */
  failure: BackupToolError | null = null;
  #wake: () => void = () => {};

  /**
   * Spawns `count` Workers of `module`; `onMessage` hears every message but "fatal".
   * `label(i)` names Worker i; `prefixFailures` puts that name in front of its failures'
   * messages ("Consumer 0: ...").
   */
  constructor(
    module: URL,
    count: number,
    private readonly label: (index: number) => string,
    onMessage: (message: Out) => void,
    prefixFailures = true,
  ) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(module, { type: "module" });
      worker.onmessage = (event: MessageEvent<Out | FatalMessage>) => {
        const message = event.data;
        if (message.type === "fatal") {
          const { failure, workerIndex } = message as FatalMessage;
          const prefix = prefixFailures ? `${this.label(workerIndex)}: ` : "";
          this.failure ??= new WorkerError(failure, prefix);
        } else {
          onMessage(message as Out);
        }
        this.#wake();
      };
      worker.onerror = (event) => {
        event.preventDefault();
        this.failure ??= new BackupToolError(
          `${this.label(i)} crashed: ${event.message}`,
          ExitCode.internal,
        );
        this.#wake();
      };
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  post(index: number, message: In): void {
    this.workers[index].postMessage(message);
  }

  broadcast(message: In): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  /** Wakes a waiting `next()` (a signal, or anything else the engine waits for). */
  wake(): void {
    this.#wake();
  }

  /** Resolves at the next message, failure or `wake()`, or after `timeoutMs`. */
  next(timeoutMs = 1000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Waits until `done()` holds or a Worker failed (then throws its error). */
  async until(done: () => boolean, timeoutMs = Infinity): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done() && !this.failure && Date.now() < deadline) {
      await this.next(Math.min(1000, Math.max(1, deadline - Date.now())));
    }
    if (this.failure) throw this.failure;
    return done();
  }

  /** Keeps the first `count` Workers and terminates the others. */
  shrink(count: number): void {
    for (const spare of this.workers.slice(count)) spare.terminate();
    this.workers = this.workers.slice(0, count);
  }

  terminate(): void {
    for (const worker of this.workers) worker.terminate();
  }
}

/** In a Worker: posts `error` as this Worker's fatal failure. */
export function postFailure(workerIndex: number, error: unknown): void {
  const message: FatalMessage = { type: "fatal", workerIndex, failure: describeFailure(error) };
  (self as unknown as { postMessage(message: unknown): void }).postMessage(message);
}
