import assert from "node:assert/strict";
import { WorkerPool } from "../../lib/util/worker_pool.ts";

type Message = { type: string; workerIndex: number };
const module = new URL("../fixtures/failing_worker.ts", import.meta.url);

function pool(count = 2) {
  const seen: Message[] = [];
  const p = new WorkerPool<Message, Message>(
    module,
    count,
    (i) => `Worker ${i}`,
    (m) => seen.push(m),
  );
  return { p, seen };
}

Deno.test("a Worker's typed failure keeps its class name, exit code and retriable flag", async () => {
  const { p } = pool();
  try {
    p.post(1, { type: "integrity", workerIndex: 1 });
    await assert.rejects(
      () => p.until(() => false),
      (error: Error & { exitCode?: number }) =>
        error.name === "IntegrityError" && error.exitCode === 5 &&
        error.message === "Worker 1: sha256 mismatch in x",
    );
  } finally {
    p.terminate();
  }
  const second = pool(1);
  try {
    second.p.post(0, { type: "retriable", workerIndex: 0 });
    await assert.rejects(
      () => second.p.until(() => false),
      (error: { retriable?: boolean; exitCode?: number }) =>
        error.retriable === true && error.exitCode === 4,
    );
  } finally {
    second.p.terminate();
  }
});

Deno.test("messages reach the engine and wake its wait; a crash is an internal error", async () => {
  const { p, seen } = pool();
  try {
    for (let i = 0; i < p.size; i++) p.post(i, { type: "echo", workerIndex: i });
    await p.until(() => seen.length === 2, 10_000);
    assert.deepEqual(seen.map((m) => m.workerIndex).sort(), [0, 1]);
    p.post(0, { type: "crash", workerIndex: 0 });
    await assert.rejects(
      () => p.until(() => false),
      (error: Error & { exitCode?: number }) =>
        error.exitCode === 1 && /Worker 0 crashed: .*a bug/.test(error.message),
    );
  } finally {
    p.terminate();
  }
});
