/**
 * kill -9 at random moments during a restore, restart each time: the target ends up
 * equal to the source, no record lost, none duplicated.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, killAfter, runScript, spawnScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";

const dataset = (n: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: i % 3,
    key: bytes(`key-${i}`),
    value: bytes(`value ${i} `.repeat(8)),
    headers: [["i", bytes(String(i))]],
  }));

for (const strategy of ["same", "key"]) {
  Deno.test(`five kill -9 during a restore (strategy ${strategy}) lose and duplicate nothing`, async () => {
    const topic = randomName("rcrash");
    await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
    await produceWithKafkajs(kafkaBootstrap(), topic, dataset(30_000));
    const dir = await Deno.makeTempDir();
    expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);

    const target = randomName("rcrash-target");
    await createTopic(kafkaBootstrap(), target, { partitions: 3 });
    const offsetMap = `${target}.offsets`;
    const job = await writeJob(restoreJob(topic, target, dir, {
      OFFSET_MAP_TOPIC: offsetMap,
      RESTORE_PARTITION_STRATEGY: strategy,
      // Small transactions, and a pace that leaves room for five kills however fast the
      // restore is (at most 2,000 records a second: 5 kills at under 3.5 s stay short of 30,000).
      RECORDS_PER_TRANSACTION: 10,
      MAX_RECORDS_PER_SECOND: 2000,
      NUMBER_OF_KAFKA_THREADS: 2,
    }));
    for (let kill = 0; kill < 5; kill++) {
      await killAfter(spawnScript("restore.ts", [job]), 1500 + Math.random() * 2000);
    }
    // The kills hit a restore in progress: part of the data is there, not all of it.
    const partial = (await readTopicWithKcat(kafkaBootstrap(), target)).length;
    assert.ok(
      partial > 0 && partial < 30_000,
      `after the kills the target holds ${partial} records`,
    );
    expectExit(await runScript("restore.ts", [job]), 0);

    const source = await readTopicWithKcat(kafkaBootstrap(), topic);
    const restored = await readTopicWithKcat(kafkaBootstrap(), target);
    const ids = restored.map((r) => new TextDecoder().decode(r.key!));
    assert.equal(new Set(ids).size, ids.length, "duplicates in the target");
    assert.equal(restored.length, source.length);
    // The offset map is exactly as complete as the restore, and points at the right records.
    const byTarget = new Map(restored.map((r) => [`${r.partition}/${r.offset}`, r]));
    const bySource = new Map(source.map((r) => [`${r.partition}/${r.offset}`, r]));
    const mapped = new Set<string>();
    for (const entry of await readTopicWithKcat(kafkaBootstrap(), offsetMap)) {
      const map = JSON.parse(new TextDecoder().decode(entry.value!));
      for (const [sourceOffset, targetOffset, count] of map.runs) {
        for (let i = 0; i < count; i++) {
          const from = bySource.get(`${map.sourcePartition}/${sourceOffset + i}`);
          const to = byTarget.get(`${map.targetPartition}/${targetOffset + i}`);
          assert.ok(
            from && to,
            `map entry ${sourceOffset + i} -> ${targetOffset + i} points nowhere`,
          );
          assert.deepEqual(to.key, from.key);
          const id = `${map.sourcePartition}/${sourceOffset + i}`;
          assert.equal(mapped.has(id), false, `source ${id} mapped twice`);
          mapped.add(id);
        }
      }
    }
    assert.equal(mapped.size, source.length);
    if (strategy === "same") {
      // Same partitions, same order within each.
      const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r, { timestamp: true }));
      assert.deepEqual(view(restored), view(source));
    }
  });
}
