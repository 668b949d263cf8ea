/**
 * LATEST_PER_KEY against the real broker: a compacted topic restored as what Kafka's own
 * compaction keeps, null keys and tombstones, range bounds, --dry-run's counts, and bad
 * values of the new keys.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { latestPerKey } from "../helpers/latest_per_key.ts";

const text = (b: Uint8Array | null) => (b === null ? "null" : new TextDecoder().decode(b));
const pairs = (rs: TestRecord[]) => rs.map((r) => `${text(r.key)}=${text(r.value)}`);
const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r));

/** Updates of `keys` keys, some deleted at the end, some deleted and written again. */
function updates(keys: number, rounds: number): TestRecord[] {
  const records: TestRecord[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < keys; k++) {
      const last = round === rounds - 1;
      const tombstone = (last && k % 5 === 0) || (round === rounds - 2 && k % 7 === 0);
      records.push({
        partition: 0,
        key: bytes(`key-${k}`),
        value: tombstone ? null : bytes(`value ${k} round ${round}`),
        headers: [["round", bytes(String(round))]],
      });
    }
  }
  return records;
}

/** Rolls segments until the cleaner has compacted everything but the roll records' segment. */
async function compacted(topic: string): Promise<TestRecord[]> {
  for (let attempt = 0; attempt < 120; attempt++) {
    await produceWithKafkajs(kafkaBootstrap(), topic, [
      { partition: 0, key: bytes("roll"), value: bytes(`roll ${attempt}`), headers: [] },
    ]);
    const data = (await readTopicWithKcat(kafkaBootstrap(), topic))
      .filter((r) => text(r.key) !== "roll");
    if (new Set(data.map((r) => text(r.key))).size === data.length) return data;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the broker did not compact ${topic} in a minute`);
}

Deno.test("a compacted topic restored with LATEST_PER_KEY holds what Kafka's compaction keeps, in offset order", async () => {
  const topic = randomName("lpk-compacted");
  await createTopic(kafkaBootstrap(), topic, {
    config: {
      "cleanup.policy": "compact",
      "min.cleanable.dirty.ratio": "0.001",
      "min.compaction.lag.ms": "0",
      "delete.retention.ms": "0",
      "segment.ms": "100",
    },
  });
  const produced = updates(40, 12);
  await produceWithKafkajs(kafkaBootstrap(), topic, produced);
  // Backed up before the cleaner is done: the archive holds superseded records (and gaps).
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);

  const target = randomName("lpk-compacted-target");
  await createTopic(kafkaBootstrap(), target); // plain delete policy: the target never compacts
  const job = await writeJob(restoreJob(topic, target, dir, { LATEST_PER_KEY: true }));
  const restore = await runScript("restore.ts", [job]);
  expectExit(restore, 0);
  assert.match(logMessages(restore.stderr), /latest per key writes 32 of the \d+ records/);
  const restored = await readTopicWithKcat(kafkaBootstrap(), target);

  // The last value of each key in the produced order, tombstoned keys left out.
  const expected = latestPerKey(produced.map((r, offset) => ({ ...r, offset })));
  assert.equal(expected.length, 32);
  assert.deepEqual(view(restored), view(expected));
  // And what the broker itself keeps once it has compacted the source (tombstones being
  // deletes that the cleaner removes in a later pass).
  const kept = (await compacted(topic)).filter((r) => r.value !== null);
  assert.deepEqual(pairs(restored).sort(), pairs(kept).sort());
  // Offset order: the restored records are in the order of their source offsets.
  assert.deepEqual(pairs(restored), pairs(kept.sort((a, b) => a.offset! - b.offset!)));
});

/** Two partitions: keys updated over and over, a tenth without key, some tombstones. */
function mixed(n: number): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    partition: i % 2,
    key: i % 10 === 3 ? null : bytes(`k${(i * 7) % 90}`),
    value: i % 6 === 1 ? null : bytes(`v${i}`),
    headers: [["i", bytes(String(i))]],
  }));
}

Deno.test("LATEST_PER_KEY keeps every record without a key, the last of each key in the range, tombstones with KEEP_TOMBSTONES", async () => {
  const topic = randomName("lpk-mixed");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, mixed(3_000));
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  const inRange = (r: TestRecord) => r.offset! >= 100 && r.offset! <= 1_200;
  const range = { START_OFFSET: 100, END_OFFSET: 1_200, CREATE_TOPIC: true };

  for (const keepTombstones of [false, true]) {
    const target = randomName("lpk-mixed-target");
    const job = await writeJob(restoreJob(topic, target, dir, {
      ...range,
      LATEST_PER_KEY: true,
      ...(keepTombstones ? { KEEP_TOMBSTONES: true } : {}),
    }));
    const expected = latestPerKey(source, { keepTombstones, inRange });
    // Null keys are there (tombstones among them); keyed tombstones only with KEEP_TOMBSTONES.
    assert.ok(expected.some((r) => r.key === null));
    assert.equal(expected.some((r) => r.key !== null && r.value === null), keepTombstones);

    // The dry run reads the range and says how much of it the restore writes.
    const dry = await runScript("restore.ts", ["--dry-run", job]);
    expectExit(dry, 0);
    assert.match(
      dry.stdout,
      new RegExp(
        `latest per key: writes ${expected.length} records, a full restore of the same range ${
          source.filter(inRange).length
        }\\n?$`,
      ),
    );
    const json = JSON.parse((await runScript("restore.ts", ["--dry-run", "--json", job])).stdout);
    for (const p of json.partitions) {
      const mine = (rs: TestRecord[]) => rs.filter((r) => r.partition === p.partition).length;
      assert.deepEqual(p.latestPerKey, {
        inRange: mine(source.filter(inRange)),
        kept: mine(expected),
      });
    }

    expectExit(await runScript("restore.ts", [job]), 0);
    const restored = await readTopicWithKcat(kafkaBootstrap(), target);
    assert.deepEqual(view(restored), view(expected));
  }
});

Deno.test("bad LATEST_PER_KEY and KEEP_TOMBSTONES values end restore.ts with exit 2, naming the key", async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ LATEST_PER_KEY: "sometimes" }, '$.LATEST_PER_KEY: expected true or false, got "sometimes"'],
    [{ LATEST_PER_KEY: true, KEEP_TOMBSTONES: 0 }, "$.KEEP_TOMBSTONES: expected true or false"],
    [{ KEEP_TOMBSTONES: true }, "$.KEEP_TOMBSTONES: only used when LATEST_PER_KEY is true"],
    [{ LATEST_PER_KEY: true, RUN_MODE: "follow" }, "$.LATEST_PER_KEY: restores the last record"],
  ];
  for (const [extra, message] of cases) {
    const job = await writeJob(restoreJob("t", "t2", "/nonexistent", extra));
    const result = await runScript("restore.ts", [job]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(logMessages(result.stderr).includes(message), result.stderr);
  }
});
