/**
 * kill -9 during a LATEST_PER_KEY restore, with the backup going on between two runs:
 * the resumed runs reduce the range the first run pinned, and the target ends up holding
 * exactly the latest-per-key set of that range, each record once.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, endOffsets, produceWithKafkajs, testKafka } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, killAfter, runScript, spawnScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { latestPerKey } from "../helpers/latest_per_key.ts";
import { loadRestoreJob } from "../../lib/config/restore_job.ts";
import { jobFingerprint } from "../../lib/config/fingerprint.ts";
import { checkpointGroup } from "../../lib/restore/checkpoint.ts";

/** Keys updated over and over, some without key, some tombstones; `tag` makes values unique. */
const dataset = (n: number, tag: string): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: i % 3,
    key: i % 20 === 7 ? null : bytes(`key-${(i * 13) % 6_000}`),
    value: i % 9 === 4 ? null : bytes(`${tag} value ${i} `.repeat(4)),
    headers: [["i", bytes(`${tag}${i}`)]],
  }));

/** The committed checkpoint metadata of each source partition (null while there is none). */
async function checkpoints(jobPath: string, source: string, target: string) {
  const fingerprint = jobFingerprint(await loadRestoreJob(jobPath));
  const admin = testKafka(kafkaBootstrap()).admin();
  await admin.connect();
  try {
    const found: Array<{ next: number; metadata: string | null } | null> = [];
    for (const partition of [0, 1, 2]) {
      const groupId = checkpointGroup({
        fingerprint,
        sourceTopic: source,
        partition,
        targetTopic: target,
      });
      const [result] = await admin.fetchOffsets({ groupId, topics: [target] }).catch(() => []);
      const p = result?.partitions.find((x) => x.partition === 0);
      found.push(
        p && Number(p.offset) >= 0 ? { next: Number(p.offset), metadata: p.metadata } : null,
      );
    }
    return found;
  } finally {
    await admin.disconnect();
  }
}

/** Starts a restore, waits for every partition's first checkpoint, then kills it a little later. */
async function killOnceStarted(jobPath: string, source: string, target: string): Promise<void> {
  const child = spawnScript("restore.ts", [jobPath]);
  const started = Date.now();
  while ((await checkpoints(jobPath, source, target)).some((c) => c === null)) {
    if (Date.now() - started > 30_000) throw new Error("no checkpoint after 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  await killAfter(child, 300 + Math.random() * 1500);
}

Deno.test("kill -9 four times during a LATEST_PER_KEY restore, the archive growing in between: the target holds the pinned range's latest-per-key set, each once", async () => {
  const topic = randomName("lpkcrash");
  await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset(30_000, "a"));
  const firstEnds = await endOffsets(kafkaBootstrap(), topic);
  const dir = await Deno.makeTempDir();
  const backup = await writeJob(backupJob([topic], dir));
  expectExit(await runScript("backup.ts", [backup]), 0);

  const target = randomName("lpkcrash-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 3 });
  const job = await writeJob(restoreJob(topic, target, dir, {
    LATEST_PER_KEY: true,
    // Small transactions: a restore of many seconds, with room for the kills.
    RECORDS_PER_TRANSACTION: 3,
    NUMBER_OF_KAFKA_THREADS: 2,
  }));
  for (let kill = 0; kill < 4; kill++) {
    await killOnceStarted(job, topic, target);
    if (kill === 0) {
      // The backup goes on: new values of the same keys land in the archive. A run that
      // reduced this bigger range would write some keys twice.
      await produceWithKafkajs(kafkaBootstrap(), topic, dataset(6_000, "b"));
      expectExit(await runScript("backup.ts", [backup]), 0);
    }
  }
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  const expected = latestPerKey(source, {
    inRange: (r) => r.offset! < firstEnds[r.partition],
  });
  const partial = (await readTopicWithKcat(kafkaBootstrap(), target)).length;
  assert.ok(
    partial > 0 && partial < expected.length,
    `after the kills the target holds ${partial}`,
  );
  // Every partition pinned the end of what the first run saw.
  const pins = (await checkpoints(job, topic, target)).map((c) => c?.metadata);
  assert.deepEqual(pins, firstEnds.map((end) => `latest-per-key-last=${end - 1}`));

  expectExit(await runScript("restore.ts", [job]), 0);
  const restored = await readTopicWithKcat(kafkaBootstrap(), target);
  const ids = restored.map((r) => new TextDecoder().decode(r.headers[0][1]!));
  assert.equal(new Set(ids).size, ids.length, "duplicates in the target");
  const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r));
  assert.deepEqual(view(restored), view(expected));
});
