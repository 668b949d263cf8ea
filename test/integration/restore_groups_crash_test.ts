/**
 * Group translation across kill -9: after every kill the target group's offset points at
 * exactly the first restored record it had not consumed (or nowhere yet), never past
 * what is restored; after the restore completes, a consumer of the group reads exactly
 * what it had not consumed. A group with an active member in the target is refused.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, killAfter, runScript, spawnScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import {
  activeMember,
  consumeAsGroup,
  groupOffsets,
  keyText,
  setGroupOffsets,
} from "../helpers/groups.ts";

const RECORDS = 30_000;

/** A topic of RECORDS records, a group that consumed part of it, and their backup. */
async function backedUp(
  consumedTo: Record<number, number>,
): Promise<{ topic: string; dir: string; source: TestRecord[] }> {
  const topic = randomName("gcrash");
  await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
  await produceWithKafkajs(
    kafkaBootstrap(),
    topic,
    Array.from({ length: RECORDS }, (_, i) => ({
      partition: i % 3,
      key: bytes(`k-${i}`),
      value: bytes(`value ${i} `.repeat(8)),
      headers: [["i", bytes(String(i))]],
    })),
  );
  await setGroupOffsets(kafkaBootstrap(), `${topic}-G`, topic, consumedTo);
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  return { topic, dir, source: await readTopicWithKcat(kafkaBootstrap(), topic) };
}

Deno.test("kill -9 during a restore with group translation never leaves a group offset past the restored records", async () => {
  const consumedTo: Record<number, number> = { 0: 500, 1: 1500, 2: 3000 };
  const { topic, dir, source } = await backedUp(consumedTo);
  const target = randomName("gcrash-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 3 });
  const job = await writeJob(restoreJob(topic, target, dir, {
    // Small transactions, and a pace that leaves room for five kills however fast the
    // restore is (at most 2,000 records a second: 5 kills at under 3.5 s stay short of 30,000).
    RECORDS_PER_TRANSACTION: 10,
    MAX_RECORDS_PER_SECOND: 2000,
    NUMBER_OF_KAFKA_THREADS: 2,
    RESTORE_CONSUMER_GROUPS: [`${topic}-G`],
  }));
  const firstUnconsumed = new Map(
    [0, 1, 2].map((p) => [p, source.find((r) => r.partition === p && r.offset! >= consumedTo[p])!]),
  );
  const check = async () => {
    const committed = await groupOffsets(kafkaBootstrap(), `${topic}-G`, target);
    const restored = await readTopicWithKcat(kafkaBootstrap(), target);
    for (const [p, at] of Object.entries(committed)) {
      const record = restored.find((r) => r.partition === Number(p) && r.offset! >= at);
      assert.ok(record, `${target}/${p}: offset ${at} points past the restored records`);
      assert.equal(keyText(record), keyText(firstUnconsumed.get(Number(p))!));
    }
    return Object.keys(committed).length;
  };
  let committedAtSomeKill = 0;
  for (let kill = 0; kill < 5; kill++) {
    await killAfter(spawnScript("restore.ts", [job]), 1500 + Math.random() * 2000);
    committedAtSomeKill = Math.max(committedAtSomeKill, await check());
  }
  console.log(
    `partitions with a committed group offset at the kills: up to ${committedAtSomeKill}`,
  );
  expectExit(await runScript("restore.ts", [job]), 0);
  assert.equal(await check(), 3);
  const unconsumed = source.filter((r) => r.offset! >= consumedTo[r.partition]);
  const read = await consumeAsGroup(kafkaBootstrap(), `${topic}-G`, target);
  assert.deepEqual(read.map((r) => describeRecord(r)), unconsumed.map((r) => describeRecord(r)));
});

Deno.test("a group with an active member in the target is refused with exit 6, its offsets and the target unchanged", async () => {
  const topic = randomName("gactive");
  await createTopic(kafkaBootstrap(), topic, { partitions: 1 });
  await produceWithKafkajs(kafkaBootstrap(), topic, [
    { partition: 0, key: bytes("a"), value: bytes("1"), headers: [] },
    { partition: 0, key: bytes("b"), value: bytes("2"), headers: [] },
  ]);
  const group = `${topic}-G`;
  await setGroupOffsets(kafkaBootstrap(), group, topic, { 0: 1 });
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  // The group is in use in the target cluster (here: on another topic of the same cluster).
  const other = randomName("gactive-other");
  await createTopic(kafkaBootstrap(), other);
  await setGroupOffsets(kafkaBootstrap(), group, other, { 0: 0 });
  const member = await activeMember(kafkaBootstrap(), group, other);
  try {
    const before = await groupOffsets(kafkaBootstrap(), group, other);
    const target = randomName("gactive-target");
    const result = await runScript("restore.ts", [
      await writeJob(restoreJob(topic, target, dir, {
        CREATE_TOPIC: true,
        RESTORE_CONSUMER_GROUPS: [group],
      })),
    ]);
    expectExit(result, 6);
    assert.match(
      result.stderr,
      new RegExp(`Consumer group \\\\"${group}\\\\" has 1 active member`),
    );
    assert.deepEqual(await groupOffsets(kafkaBootstrap(), group, other), before);
    const admin = (await import("../helpers/kafka.ts")).testKafka(kafkaBootstrap()).admin();
    await admin.connect();
    assert.equal((await admin.listTopics()).includes(target), false, "the target was created");
    await admin.disconnect();
  } finally {
    await member.stop();
  }
});
