/**
 * A full disk under a local backup and under a cloud backup's staging directory: a small
 * tmpfs mounted for the test (the suite runs as root), filled by the backup itself. The
 * run stops with exit 4 naming the directory, nothing half-written is visible, the group's
 * offsets do not pass what is stored, and once space is freed the next run continues
 * exactly where the archive ends.
 */
import { createBucket } from "../helpers/s3.ts";
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName, s3Endpoint } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { type TestRecord } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { duplicates, readArchive } from "../helpers/archive.ts";
import { groupOffsets } from "../helpers/groups.ts";
import { S3Backend } from "../../lib/storage/s3.ts";
import { canMount, mountTmpfs, resizeTmpfs, unmount } from "../helpers/tmpfs.ts";

const RECORDS = 3000;

/** 2 KiB of random bytes each (zstd cannot shrink them): about 6 MiB in all. */
const dataset = (): TestRecord[] =>
  Array.from({ length: RECORDS }, (_, i) => ({
    partition: i % 2,
    key: new TextEncoder().encode(`k${i}`),
    value: crypto.getRandomValues(new Uint8Array(2048)),
    headers: [],
  }));

/** Files whose name marks them as temporary (a half-written put). */
function tempFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of Deno.readDirSync(path)) {
      if (entry.isDirectory) walk(`${path}/${entry.name}`);
      else if (entry.name.startsWith(".tmp-")) found.push(`${path}/${entry.name}`);
    }
  };
  walk(dir);
  return found;
}

async function topicWithData() {
  const topic = randomName("diskfull");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset());
  return { topic, source: await readTopicWithKcat(kafkaBootstrap(), topic) };
}

/** The group's committed offsets never pass what the archive holds. */
async function offsetsWithinArchive(topic: string, records: TestRecord[]): Promise<void> {
  const committed = await groupOffsets(kafkaBootstrap(), `${topic}-backup`, topic);
  for (const [partition, offset] of Object.entries(committed)) {
    const held = records.filter((r) => r.partition === Number(partition));
    const end = held.length === 0 ? 0 : held.at(-1)!.offset! + 1;
    assert.ok(offset <= end, `partition ${partition}: committed ${offset}, archive ends at ${end}`);
  }
}

Deno.test({
  name:
    "a local backup onto a full disk stops with exit 4 naming it, and continues once space is freed",
  ignore: !canMount,
  fn: async () => {
    const { topic, source } = await topicWithData();
    const dir = await Deno.makeTempDir();
    await mountTmpfs(dir, "3m");
    try {
      const job = await writeJob(
        backupJob([topic], dir, { NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 200 }),
      );
      const full = await runScript("backup.ts", [job]);
      expectExit(full, 4);
      assert.match(logMessages(full.stderr), new RegExp(`${dir}: No space left on device`));
      assert.deepEqual(tempFiles(dir), [], "nothing half-written is left");
      const partial = await readArchive(dir, topic);
      assert.ok(partial.records.length > 0 && partial.records.length < RECORDS);
      await offsetsWithinArchive(topic, partial.records);
      await resizeTmpfs(dir, "64m");
      expectExit(await runScript("backup.ts", [job]), 0);
      const done = await readArchive(dir, topic);
      assert.deepEqual(duplicates(done.records), []);
      assert.equal(done.records.length, source.length);
      expectExit(
        await runScript("restore.ts", ["--verify", await writeJob(restoreJob(topic, topic, dir))]),
        0,
      );
    } finally {
      await unmount(dir);
    }
  },
});

Deno.test({
  name:
    "a cloud backup whose staging directory fills stops with exit 4 naming it, and continues once space is freed",
  ignore: !canMount,
  fn: async () => {
    const { topic, source } = await topicWithData();
    const bucket = await createBucket();
    const staging = await Deno.makeTempDir();
    await mountTmpfs(staging, "1m");
    try {
      const storage = {
        FILESYSTEM_TYPE: "S3",
        BUCKET_NAME: bucket,
        S3_ENDPOINT: s3Endpoint(),
      };
      const job = await writeJob(backupJob([topic], staging, {
        ...storage,
        NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 1000,
      }));
      const full = await runScript("backup.ts", [job]);
      expectExit(full, 4);
      assert.match(logMessages(full.stderr), new RegExp(`${staging}: No space left on device`));
      assert.deepEqual(tempFiles(staging), [], "nothing half-written is left");
      const backend = new S3Backend({
        bucket,
        endpoint: s3Endpoint(),
        forcePathStyle: true,
        region: "us-east-1",
      });
      const partial = await readArchive(backend, topic);
      await offsetsWithinArchive(topic, partial.records);
      await resizeTmpfs(staging, "64m");
      expectExit(await runScript("backup.ts", [job]), 0);
      const done = await readArchive(backend, topic);
      assert.deepEqual(duplicates(done.records), []);
      assert.equal(done.records.length, source.length);
      await backend.close();
    } finally {
      await unmount(staging);
    }
  },
});
