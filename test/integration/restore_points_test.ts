/**
 * Restoration points, topic configs and the bad inputs around them, on real brokers.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, kafkaBootstrap2, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs, testKafka } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { groupOffsets, keyText, setGroupOffsets } from "../helpers/groups.ts";

const batch = (tag: string, n: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: i % 2,
    key: bytes(`${tag}-${i}`),
    value: bytes(`${tag} value ${i}`),
    headers: [],
  }));

const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r)).sort();

async function topicExists(bootstrap: string, topic: string): Promise<boolean> {
  const admin = testKafka(bootstrap).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

/** Two once runs, with records produced and the group moved in between. */
async function twoRuns() {
  const topic = randomName("points");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  const dir = await Deno.makeTempDir();
  const backup = await writeJob(backupJob([topic], dir));
  await produceWithKafkajs(kafkaBootstrap(), topic, batch("first", 40));
  await setGroupOffsets(kafkaBootstrap(), `${topic}-G`, topic, { 0: 5, 1: 7 });
  expectExit(await runScript("backup.ts", [backup]), 0);
  const firstRun = await readTopicWithKcat(kafkaBootstrap(), topic);
  await produceWithKafkajs(kafkaBootstrap(), topic, batch("second", 40));
  await setGroupOffsets(kafkaBootstrap(), `${topic}-G`, topic, { 0: 30, 1: 33 });
  expectExit(await runScript("backup.ts", [backup]), 0);
  return { topic, dir, firstRun };
}

Deno.test("restoring the first of two restoration points gives exactly the first run's records and group offsets", async () => {
  const { topic, dir, firstRun } = await twoRuns();
  const list = await runScript("restore.ts", [
    "--list-points",
    "--json",
    await writeJob(restoreJob(topic, topic, dir)),
  ]);
  expectExit(list, 0);
  const points = JSON.parse(list.stdout).points;
  assert.deepEqual(points.map((p: { records: number }) => p.records), [40, 80]);
  assert.ok(points.every((p: { groupSnapshot: string | null }) => p.groupSnapshot !== null));

  // By id, and by a time just after the first point (the newest at or before it).
  const byId = randomName("points-id");
  const byTime = randomName("points-time");
  for (const [target, point] of [[byId, points[0].id], [byTime, points[0].createdAt]]) {
    const job = restoreJob(topic, target, dir, {
      BOOTSTRAP_SERVERS: kafkaBootstrap2(),
      CREATE_TOPIC: true,
      RESTORATION_POINT: point,
      RESTORE_CONSUMER_GROUPS: "*",
    });
    expectExit(await runScript("restore.ts", [await writeJob(job)]), 0);
    const restored = await readTopicWithKcat(kafkaBootstrap2(), target);
    assert.deepEqual(view(restored), view(firstRun));
    const committed = await groupOffsets(kafkaBootstrap2(), `${topic}-G`, target);
    for (const [p, from] of [[0, 5], [1, 7]]) {
      const expected = firstRun.find((r) => r.partition === p && r.offset! >= from)!;
      const at = restored.find((r) => r.partition === p && r.offset === committed[p]);
      assert.equal(at && keyText(at), keyText(expected), `group offset on partition ${p}`);
    }
  }
});

Deno.test("a compacted topic with retention.ms and min.insync.replicas is restored with CREATE_TOPIC and has them", async () => {
  const topic = randomName("configs");
  const configs = {
    "cleanup.policy": "compact",
    "retention.ms": "3600000",
    "min.insync.replicas": "1",
    "max.message.bytes": "2000000",
  };
  await createTopic(kafkaBootstrap(), topic, { partitions: 3, config: configs });
  await produceWithKafkajs(kafkaBootstrap(), topic, batch("c", 6));
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);

  const same = randomName("configs-same");
  const changed = randomName("configs-changed");
  const overrides = { [changed]: { "retention.ms": "7200000", "max.message.bytes": null } };
  for (const target of [same, changed]) {
    const job = restoreJob(topic, target, dir, {
      BOOTSTRAP_SERVERS: kafkaBootstrap2(),
      CREATE_TOPIC: true,
      TOPIC_CONFIG_OVERRIDES: target === changed ? overrides : undefined,
    });
    expectExit(await runScript("restore.ts", [await writeJob(job)]), 0);
  }
  const admin = testKafka(kafkaBootstrap2()).admin();
  await admin.connect();
  try {
    const describe = async (target: string) => {
      const { resources } = await admin.describeConfigs({
        resources: [{ type: 2, name: target }],
        includeSynonyms: false,
      });
      // Set on the topic itself (config source 1), not inherited from the broker.
      const own = resources[0].configEntries.filter((e) =>
        (e as { configSource?: number }).configSource === 1
      );
      return Object.fromEntries(own.map((e) => [e.configName, e.configValue]));
    };
    assert.deepEqual(await describe(same), configs);
    assert.deepEqual(await describe(changed), {
      "cleanup.policy": "compact",
      "retention.ms": "7200000",
      "min.insync.replicas": "1",
    });
    const metadata = await admin.fetchTopicMetadata({ topics: [same] });
    assert.equal(metadata.topics[0].partitions.length, 3);
  } finally {
    await admin.disconnect();
  }
});

Deno.test("an unknown group, a restoration point that does not exist and a damaged group snapshot are refused, the target untouched", async () => {
  const { topic, dir } = await twoRuns();
  const cases: Array<[Record<string, unknown>, number, RegExp]> = [
    [
      { RESTORE_CONSUMER_GROUPS: ["no-such-group"] },
      2,
      /Consumer group "no-such-group" is not in group snapshot/,
    ],
    [
      { RESTORATION_POINT: "20200101T000000000Z-00000000" },
      2,
      /no restoration point "20200101T000000000Z-00000000"/,
    ],
  ];
  for (const [extra, code, message] of cases) {
    const target = randomName("bad");
    const job = restoreJob(topic, target, dir, { CREATE_TOPIC: true, ...extra });
    const result = await runScript("restore.ts", [await writeJob(job)]);
    expectExit(result, code);
    assert.match(logMessages(result.stderr), message);
    assert.equal(await topicExists(kafkaBootstrap(), target), false);
  }
  // Damage the newest group snapshot: one byte of its offsets.
  const snapshots = [...Deno.readDirSync(`${dir}/@groups`)].map((e) => e.name)
    .filter((n) => n.endsWith(".json")).sort();
  const damaged = `${dir}/@groups/${snapshots.at(-1)}`;
  const text = await Deno.readTextFile(damaged);
  await Deno.writeTextFile(damaged, text.replace('"offset":3', '"offset":4'));
  const target = randomName("bad");
  const job = restoreJob(topic, target, dir, { CREATE_TOPIC: true, RESTORE_CONSUMER_GROUPS: "*" });
  const result = await runScript("restore.ts", [await writeJob(job)]);
  expectExit(result, 5);
  assert.match(
    logMessages(result.stderr),
    new RegExp(`sha256 mismatch in .*@groups/${snapshots.at(-1)}`),
  );
  assert.equal(await topicExists(kafkaBootstrap(), target), false);
});

Deno.test("a restoration point whose chunks are missing stops the restore with exit 5 naming the point", async () => {
  const { topic, dir } = await twoRuns();
  // Remove the newest chunk of partition 0 (its index entry too, so it is not a hole).
  const partitionDir = `${dir}/${topic}/0`;
  const newest = [...Deno.readDirSync(partitionDir)].map((e) => e.name)
    .filter((n) => n.endsWith(".chunk")).sort().at(-1)!;
  for (const suffix of ["", ".sha256", ".json"]) {
    await Deno.remove(`${partitionDir}/${newest}${suffix}`);
  }
  const target = randomName("bad-point");
  const job = restoreJob(topic, target, dir, { CREATE_TOPIC: true, RESTORATION_POINT: "latest" });
  const result = await runScript("restore.ts", [await writeJob(job)]);
  expectExit(result, 5);
  assert.match(
    logMessages(result.stderr),
    new RegExp(`Restoration point \\d{8}T\\d{9}Z-[0-9a-f]{8} covers ${topic}/0 up to offset`),
  );
  assert.equal(await topicExists(kafkaBootstrap(), target), false);
});
