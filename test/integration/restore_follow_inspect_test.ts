/** Follow mode, the inspection commands, and an oversized record. */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, type TestRecord } from "../helpers/records.ts";
import {
  expectExit,
  finish,
  logMessages,
  runScript,
  spawnScript,
  writeJob,
} from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";

const batch = (start: number, n: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: (start + i) % 2,
    key: bytes(`key-${start + i}`),
    value: bytes(`value ${start + i}`),
    headers: [],
  }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function backedUp(n: number, extra: Record<string, unknown> = {}) {
  const topic = randomName("inspect");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, n));
  const dir = await Deno.makeTempDir();
  const backup = await writeJob(
    backupJob([topic], dir, { NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 40, ...extra }),
  );
  expectExit(await runScript("backup.ts", [backup]), 0);
  return { topic, dir, backup };
}

Deno.test("follow mode restores chunks that a backup adds while it runs", async () => {
  const { topic, dir, backup } = await backedUp(100);
  const target = randomName("follow-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 2 });
  const job = await writeJob(
    restoreJob(topic, target, dir, { RUN_MODE: "follow", RETRY_SECONDS: 1 }),
  );
  const restore = spawnScript("restore.ts", [job]);
  try {
    await produceWithKafkajs(kafkaBootstrap(), topic, batch(100, 150));
    expectExit(await runScript("backup.ts", [backup]), 0);
    let count = 0;
    for (let i = 0; i < 60 && count < 250; i++) {
      await sleep(500);
      count = (await readTopicWithKcat(kafkaBootstrap(), target)).length;
    }
    assert.equal(count, 250);
  } finally {
    restore.kill("SIGTERM");
  }
  const { code, stderr } = await finish(restore);
  assert.equal(code, 0, stderr);
  const keys = (await readTopicWithKcat(kafkaBootstrap(), target)).map((r) =>
    new TextDecoder().decode(r.key!)
  );
  assert.equal(new Set(keys).size, 250);
});

Deno.test("--list, --verify and --dry-run describe the archive without producing", async () => {
  const { topic, dir } = await backedUp(100);
  const target = randomName("inspect-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 2 });
  const job = await writeJob(restoreJob(topic, target, dir));

  const list = await runScript("restore.ts", ["--list", "--json", job]);
  expectExit(list, 0);
  const rows = JSON.parse(list.stdout).partitions;
  assert.deepEqual(
    rows.map((
      r: { partition: number; records: number; chunks: number },
    ) => [r.partition, r.records, r.chunks]),
    [
      [0, 50, 2],
      [1, 50, 2],
    ],
  );
  const table = await runScript("restore.ts", ["--list", job]);
  expectExit(table, 0);
  assert.match(table.stdout, new RegExp(`${topic}\\s+0\\s+2\\s+50`));

  const verify = await runScript("restore.ts", ["--verify", "--json", job]);
  expectExit(verify, 0);
  // The topic's config and the once run's restoration point are checked too.
  assert.deepEqual(JSON.parse(verify.stdout), {
    chunks: 4,
    records: 100,
    metadataObjects: 2,
    problems: [],
  });

  const plan = await runScript("restore.ts", ["--dry-run", "--json", job]);
  expectExit(plan, 0);
  const planned = JSON.parse(plan.stdout).partitions;
  assert.deepEqual(
    planned.map((p: { records: number; resumeAt: number | null }) => [p.records, p.resumeAt]),
    [
      [50, null],
      [50, null],
    ],
  );
  assert.equal((await readTopicWithKcat(kafkaBootstrap(), target)).length, 0);

  // A damaged chunk: --verify names it and exits 5.
  const chunkDir = `${dir}/${topic}/1`;
  const name =
    [...Deno.readDirSync(chunkDir)].map((e) => e.name).filter((n) => n.endsWith(".chunk"))
      .sort()[0];
  const data = await Deno.readFile(`${chunkDir}/${name}`);
  data[data.length - 1] ^= 0xff;
  await Deno.writeFile(`${chunkDir}/${name}`, data);
  const bad = await runScript("restore.ts", ["--verify", job]);
  expectExit(bad, 5);
  assert.match(bad.stdout, new RegExp(`1 problem.*\\n.*sha256 mismatch.*${name}`));

  // A damaged restoration point: named too.
  const point = [...Deno.readDirSync(`${dir}/@points`)].map((e) => e.name)
    .find((n) => n.endsWith(".json"))!;
  await Deno.writeTextFile(`${dir}/@points/${point}`, "{}\n");
  const badPoint = await runScript("restore.ts", ["--verify", job]);
  expectExit(badPoint, 5);
  assert.match(
    badPoint.stdout,
    new RegExp(`2 problem.*[\\s\\S]*sha256 mismatch in .*@points/${point}`),
  );
});

Deno.test("a record over the target's max.message.bytes stops the restore with exit 7 naming it", async () => {
  const topic = randomName("oversized");
  await createTopic(kafkaBootstrap(), topic, { config: { "max.message.bytes": "200000" } });
  const big = new Uint8Array(150_000).fill(7);
  await produceWithKafkajs(kafkaBootstrap(), topic, [
    { partition: 0, key: bytes("small"), value: bytes("ok"), headers: [] },
    { partition: 0, key: bytes("big"), value: big, headers: [] },
  ]);
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  const target = randomName("oversized-target");
  await createTopic(kafkaBootstrap(), target, { config: { "max.message.bytes": "100000" } });
  const result = await runScript("restore.ts", [await writeJob(restoreJob(topic, target, dir))]);
  expectExit(result, 7);
  assert.match(
    logMessages(result.stderr),
    new RegExp(`${topic}/0 offset 1 .*max.message.bytes=100000`),
  );
  assert.equal((await readTopicWithKcat(kafkaBootstrap(), target)).length, 0);
});
