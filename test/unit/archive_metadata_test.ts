import assert from "node:assert/strict";
import { isStamp, newStamp, stampTime } from "../../lib/archive/stamp.ts";
import { selectPoint } from "../../lib/archive/restoration_point.ts";
import { LocalBackend } from "../../lib/storage/local.ts";
import { readGroupSnapshot, writeGroupSnapshot } from "../../lib/archive/group_snapshot.ts";
import { topicConfigAt, writeTopicConfig } from "../../lib/archive/topic_config.ts";
import { IntegrityError } from "../../lib/errors.ts";

Deno.test("a stamp names its millisecond and sorts by time", () => {
  const a = newStamp(new Date(Date.UTC(2026, 11, 2, 5, 45, 39, 123)));
  assert.match(a, /^20261202T054539123Z-[0-9a-f]{8}$/);
  assert.equal(stampTime(a), Date.UTC(2026, 11, 2, 5, 45, 39, 123));
  assert.ok(newStamp(new Date(Date.UTC(2026, 11, 2, 5, 45, 40))) > a);
  assert.equal(isStamp("20261302T054539123Z-00000000"), true);
  assert.equal(stampTime("20261302T054539123Z-00000000"), null); // month 13
});

Deno.test("a restoration point is chosen as latest, by id, or as the newest at or before a time", () => {
  const ids = ["20260101T000000000Z-aaaaaaaa", "20260102T000000000Z-bbbbbbbb"];
  assert.equal(selectPoint(ids, { kind: "latest" }), ids[1]);
  assert.equal(selectPoint(ids, { kind: "id", id: ids[0] }), ids[0]);
  assert.equal(selectPoint(ids, { kind: "id", id: "20260103T000000000Z-cccccccc" }), null);
  assert.equal(selectPoint(ids, { kind: "time", ms: Date.UTC(2026, 0, 1, 12) }), ids[0]);
  assert.equal(selectPoint(ids, { kind: "time", ms: Date.UTC(2025, 0, 1) }), null);
  assert.equal(selectPoint([], { kind: "latest" }), null);
});

Deno.test("a group snapshot reads back as written, and a changed byte is an IntegrityError naming it", async () => {
  const dir = await Deno.makeTempDir();
  const backend = new LocalBackend(dir);
  const snapshot = {
    createdAt: "2026-12-02T05:45:39.123Z",
    groups: [{ group: "g", offsets: [{ topic: "t", partition: 0, offset: 7, metadata: "m" }] }],
  };
  const ref = await writeGroupSnapshot(backend, snapshot);
  assert.deepEqual((await readGroupSnapshot(backend, ref.key, ref.sha256)).snapshot, snapshot);
  const path = `${dir}/${ref.key}`;
  await Deno.writeTextFile(
    path,
    (await Deno.readTextFile(path)).replace('"offset":7', '"offset":8'),
  );
  await assert.rejects(
    () => readGroupSnapshot(backend, ref.key),
    (e) => e instanceof IntegrityError && e.message.includes(ref.key),
  );
});

Deno.test("the topic config at a time is the newest written at or before it", async () => {
  const backend = new LocalBackend(await Deno.makeTempDir());
  const base = { topic: "t", partitions: 3, replicationFactor: 1 };
  await writeTopicConfig(backend, {
    ...base,
    createdAt: "2026-01-01T00:00:00.000Z",
    configs: { a: "1" },
  });
  await writeTopicConfig(backend, {
    ...base,
    createdAt: "2026-01-03T00:00:00.000Z",
    configs: { a: "2" },
  });
  assert.deepEqual((await topicConfigAt(backend, "t", Date.UTC(2026, 0, 2)))?.configs, { a: "1" });
  assert.deepEqual((await topicConfigAt(backend, "t"))?.configs, { a: "2" });
  assert.equal(await topicConfigAt(backend, "t", Date.UTC(2025, 0, 1)), null);
});
