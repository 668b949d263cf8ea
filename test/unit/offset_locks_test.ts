import assert from "node:assert/strict";
import { LockClient, LockServer } from "../../lib/restore/offset_locks.ts";

Deno.test("locks are granted in order, all keys of a request at once", () => {
  const granted: string[] = [];
  const server = new LockServer((owner, id) => granted.push(`${owner}:${id}`));
  server.request(0, 1, ["a", "b"]);
  server.request(1, 1, ["b"]);
  server.request(1, 2, ["c"]);
  server.request(2, 1, ["c", "d"]);
  assert.deepEqual(granted, ["0:1", "1:2"]);
  server.release(0, 1);
  assert.deepEqual(granted, ["0:1", "1:2", "1:1"]);
  server.release(1, 2);
  assert.deepEqual(granted, ["0:1", "1:2", "1:1", "2:1"]);
});

Deno.test("a waiting request holds back later requests on its keys", () => {
  const granted: string[] = [];
  const server = new LockServer((owner, id) => granted.push(`${owner}:${id}`));
  server.request(0, 1, ["a"]);
  server.request(1, 1, ["a", "b"]);
  server.request(2, 1, ["b"]); // would fit now, but 1:1 asked first for b
  assert.deepEqual(granted, ["0:1"]);
  server.release(0, 1);
  assert.deepEqual(granted, ["0:1", "1:1"]);
});

Deno.test("a Worker's lock resolves when granted and its release is sent once", async () => {
  const sent: string[] = [];
  const grants: Array<(id: number) => void> = [];
  const server = new LockServer((_, id) => grants[0](id));
  const client = new LockClient((m) => {
    sent.push(m.type);
    if (m.type === "lock") server.request(0, m.id, m.keys!);
    else server.release(0, m.id);
  });
  grants.push((id) => client.granted(id));
  const release = await client.lock(["x", "x"]);
  release();
  release();
  assert.deepEqual(sent, ["lock", "unlock"]);
  await client.lock(["x"]); // free again
});
