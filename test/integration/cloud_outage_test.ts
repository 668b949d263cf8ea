/**
 * The object store goes away in the middle of a backup or a restore and comes back:
 * the job rides it out, and the result is complete with nothing duplicated. Also the
 * staging limit (back-pressure) and refused credentials.
 */
import { createBucket } from "../helpers/s3.ts";
import assert from "node:assert/strict";
import { azureConnectionString, kafkaBootstrap, randomName, s3Endpoint } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import {
  expectExit,
  finish,
  logMessages,
  runScript,
  spawnScript,
  terminate,
  writeJob,
} from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { duplicates, readArchive } from "../helpers/archive.ts";
import { TcpProxy } from "../helpers/tcp_proxy.ts";
import { S3Backend } from "../../lib/storage/s3.ts";
import { azureVia, azuriteBackend, azuriteUrl, createContainer } from "../helpers/azurite.ts";
import type { StorageBackend } from "../../lib/storage/backend.ts";

const batch = (start: number, n: number, partitions = 3): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: (start + i) % partitions,
    key: bytes(`key-${start + i}`),
    value: bytes(`value ${start + i} `.repeat(20)),
    headers: [],
  }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r, { offset: true }));

interface CloudCase {
  name: string;
  /** Creates the bucket/container; returns job keys pointing at `endpoint`, env, and a reader. */
  prepare(endpoint: string): Promise<{
    keys: Record<string, unknown>;
    env?: Record<string, string>;
    backend: () => StorageBackend;
  }>;
  realEndpoint(): string;
}

const s3Case: CloudCase = {
  name: "the S3 server",
  realEndpoint: s3Endpoint,
  async prepare(endpoint) {
    const bucket = await createBucket("outage");
    return {
      keys: {
        FILESYSTEM_TYPE: "S3",
        BUCKET_NAME: bucket,
        S3_ENDPOINT: endpoint,
        S3_FORCE_PATH_STYLE: true,
      },
      backend: () => new S3Backend({ bucket, endpoint: s3Endpoint(), forcePathStyle: true }),
    };
  },
};

const azureCase: CloudCase = {
  name: "Azurite",
  realEndpoint: azuriteUrl,
  async prepare(endpoint) {
    const container = await createContainer("outage");
    return {
      keys: { FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: container },
      env: { AZURE_STORAGE_CONNECTION_STRING: azureVia(endpoint) },
      backend: () => azuriteBackend(container),
    };
  },
};

for (const cloud of [s3Case, azureCase]) {
  Deno.test(`a backup rides out ${cloud.name} going away and coming back`, async () => {
    const proxy = TcpProxy.start(cloud.realEndpoint());
    try {
      const { keys, env, backend } = await cloud.prepare(proxy.url);
      const topic = randomName("outage");
      await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
      await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, 900));
      const staging = await Deno.makeTempDir();
      const job = await writeJob(backupJob([topic], staging, {
        ...keys,
        RUN_MODE: "continuous",
        NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100,
        MAX_CHUNK_AGE_SECONDS: 1,
        RETRY_UPLOAD_SECONDS: 1,
      }));
      const child = spawnScript("backup.ts", [job], env);
      await sleep(3000);
      proxy.down();
      await produceWithKafkajs(kafkaBootstrap(), topic, batch(900, 900));
      await sleep(5000);
      proxy.up();
      await produceWithKafkajs(kafkaBootstrap(), topic, batch(1800, 300));
      await sleep(5000);
      const { code, stderr } = await terminate(child);
      assert.equal(code, 0, stderr);
      assert.match(logMessages(stderr), /Retrying/, "the outage was never noticed");
      expectExit(await runScript("backup.ts", ["--once", job], env), 0);

      const archived = await readArchive(backend(), topic);
      assert.deepEqual(duplicates(archived.records), []);
      assert.deepEqual(
        view(archived.records),
        view(await readTopicWithKcat(kafkaBootstrap(), topic)),
      );
      assert.equal(archived.records.length, 2100);
    } finally {
      proxy.down();
    }
  });
}

Deno.test("a restore rides out the S3 server going away and coming back", async () => {
  const proxy = TcpProxy.start(s3Endpoint());
  try {
    const { keys } = await s3Case.prepare(s3Endpoint());
    const topic = randomName("outage-restore");
    await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
    await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, 6000));
    const staging = await Deno.makeTempDir();
    const backup = backupJob([topic], staging, { ...keys, NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 200 });
    expectExit(await runScript("backup.ts", [await writeJob(backup)]), 0);

    const target = randomName("outage-target");
    await createTopic(kafkaBootstrap(), target, { partitions: 3 });
    const restore = restoreJob(topic, target, staging, {
      ...keys,
      S3_ENDPOINT: proxy.url,
      RETRY_SECONDS: 1,
      RECORDS_PER_TRANSACTION: 20,
      // At most 1,000 records a second: the outage at 2.5 s comes with chunks still to read.
      MAX_RECORDS_PER_SECOND: 1000,
    });
    const child = spawnScript("restore.ts", [await writeJob(restore)]);
    await sleep(2500);
    proxy.down();
    await sleep(4000);
    proxy.up();
    const { code, stderr } = await finish(child);
    assert.equal(code, 0, stderr);
    assert.match(logMessages(stderr), /Retrying/, "the outage was never noticed");
    const restored = await readTopicWithKcat(kafkaBootstrap(), target);
    const keysSeen = restored.map((r) => new TextDecoder().decode(r.key!));
    assert.equal(new Set(keysSeen).size, keysSeen.length, "duplicates in the target");
    const source = await readTopicWithKcat(kafkaBootstrap(), topic);
    assert.deepEqual(
      restored.map((r) => describeRecord(r)),
      source.map((r) => describeRecord(r)),
    );
  } finally {
    proxy.down();
  }
});

/** Bytes of chunk files in the staging directory right now. */
function stagedChunkBytes(dir: string): number {
  let total = 0;
  for (const e of Deno.readDirSync(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) total += stagedChunkBytes(path);
    else if (e.name.endsWith(".chunk")) {
      try {
        total += Deno.statSync(path).size;
      } catch {
        // uploaded and removed meanwhile
      }
    }
  }
  return total;
}

Deno.test("staged chunks never exceed STAGING_MAX_BYTES while uploads stall", async () => {
  const proxy = TcpProxy.start(s3Endpoint());
  try {
    const { keys, backend } = await s3Case.prepare(proxy.url);
    const topic = randomName("staging");
    await createTopic(kafkaBootstrap(), topic, { partitions: 12 });
    const staging = await Deno.makeTempDir();
    const limit = 64 * 1024;
    const job = await writeJob(backupJob([topic], staging, {
      ...keys,
      RUN_MODE: "continuous",
      NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 50,
      MAX_CHUNK_BYTES: 16 * 1024,
      MAX_CHUNK_AGE_SECONDS: 1,
      STAGING_MAX_BYTES: limit,
      UPLOAD_CONCURRENCY: 1,
      COMPRESSION: "none",
      RETRY_UPLOAD_SECONDS: 1,
    }));
    // A first record per partition, so every partition has found its place in storage.
    await produceWithKafkajs(kafkaBootstrap(), topic, batch(0, 12, 12));
    const child = spawnScript("backup.ts", [job]);
    await sleep(4000);
    // Uploads stall while the store is unreachable: staging fills up to the limit and stops.
    proxy.down();
    await produceWithKafkajs(kafkaBootstrap(), topic, batch(12, 5988, 12));
    let peak = 0;
    for (let i = 0; i < 50; i++) {
      peak = Math.max(peak, stagedChunkBytes(staging));
      await sleep(100);
    }
    proxy.up();
    await sleep(3000);
    const { code, stderr } = await terminate(child);
    assert.equal(code, 0, stderr);
    assert.ok(
      peak >= limit / 2,
      `staging never filled (peak ${peak} bytes): no back-pressure tested`,
    );
    assert.ok(peak <= limit, `staging held ${peak} bytes of chunks, limit ${limit}`);
    expectExit(await runScript("backup.ts", ["--once", job]), 0);
    const archived = await readArchive(backend(), topic);
    assert.equal(archived.records.length, 6000);
    assert.deepEqual(duplicates(archived.records), []);
  } finally {
    proxy.down();
  }
});

Deno.test("refused Azure credentials fail fast with exit 4 naming the container", async () => {
  const container = randomName("creds");
  const topic = randomName("creds");
  await createTopic(kafkaBootstrap(), topic);
  const wrongKey = azureConnectionString().replace(
    /AccountKey=[^;]+/,
    `AccountKey=${btoa("not the key")}`,
  );
  const job = backupJob([topic], await Deno.makeTempDir(), {
    FILESYSTEM_TYPE: "AZURE",
    CONTAINER_NAME: container,
  });
  const result = await runScript("backup.ts", [await writeJob(job)], {
    AZURE_STORAGE_CONNECTION_STRING: wrongKey,
  });
  expectExit(result, 4);
  assert.match(logMessages(result.stderr), new RegExp(container));
  assert.equal(result.stderr.includes(btoa("not the key")), false);
});

Deno.test("kill -9 during a cloud backup with chunks staged: restarts upload them, nothing lost or doubled", async () => {
  const proxy = TcpProxy.start(s3Endpoint());
  try {
    const { keys, backend } = await s3Case.prepare(proxy.url);
    const topic = randomName("staged-crash");
    await createTopic(kafkaBootstrap(), topic, { partitions: 3 });
    const staging = await Deno.makeTempDir();
    const job = await writeJob(backupJob([topic], staging, {
      ...keys,
      RUN_MODE: "continuous",
      NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 60,
      MAX_CHUNK_AGE_SECONDS: 0.5,
      RETRY_UPLOAD_SECONDS: 1,
    }));
    let written = 0;
    let logs = "";
    for (let kill = 0; kill < 5; kill++) {
      const child = spawnScript("backup.ts", [job]);
      const stderr = new Response(child.stderr).text();
      // A few records first, so each partition finds its place in storage while it can.
      await produceWithKafkajs(kafkaBootstrap(), topic, batch(written, 30));
      await sleep(2500);
      // Every other round the store is unreachable while records arrive: their chunks
      // wait in staging when the kill comes.
      if (kill % 2 === 0) proxy.down();
      await produceWithKafkajs(kafkaBootstrap(), topic, batch(written + 30, 570));
      written += 600;
      await sleep(1000 + Math.random() * 1500);
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel();
      logs += await stderr;
      proxy.up();
    }
    const last = await runScript("backup.ts", ["--once", job]);
    expectExit(last, 0);
    logs += last.stderr;
    assert.match(
      logMessages(logs),
      /staged by an interrupted run/,
      "no restart found staged chunks",
    );
    const archived = await readArchive(backend(), topic);
    assert.deepEqual(duplicates(archived.records), []);
    assert.equal(archived.records.length, written);
    assert.deepEqual(
      view(archived.records),
      view(await readTopicWithKcat(kafkaBootstrap(), topic)),
    );
  } finally {
    proxy.down();
  }
});

/** A local port nothing listens on: connections to it are refused. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Runs a script, killing it after `limitMs` so a regression cannot hang the suite. */
async function runWithin(
  script: "backup.ts" | "restore.ts",
  job: string,
  env: Record<string, string> | undefined,
  limitMs: number,
) {
  const started = Date.now();
  const child = spawnScript(script, [job], env);
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const result = await finish(child);
  clearTimeout(timer);
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

Deno.test("storage unreachable at the start: backup and restore stop with exit 4 naming the endpoint", async () => {
  const topic = randomName("no-storage");
  await createTopic(kafkaBootstrap(), topic);
  const s3Url = `http://127.0.0.1:${closedPort()}`;
  const azureUrl = `http://127.0.0.1:${closedPort()}/devstoreaccount1`;
  const backup = backupJob([topic], await Deno.makeTempDir(), {
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: "no-such-server",
    S3_ENDPOINT: s3Url,
  });
  const restore = restoreJob(topic, `${topic}-copy`, await Deno.makeTempDir(), {
    FILESYSTEM_TYPE: "AZURE",
    CONTAINER_NAME: "no-such-server",
    RETRY_DOWNLOAD_SECONDS: 1,
  });
  const azureEnv = {
    AZURE_STORAGE_CONNECTION_STRING: azureConnectionString().replace(
      /BlobEndpoint=http:\/\/[^;]+/,
      `BlobEndpoint=${azureUrl}`,
    ),
  };
  // Both at once: each waits out the first-contact limit (30 s) before it stops.
  const limitMs = 90_000;
  const runs = await Promise.all([
    runWithin("backup.ts", await writeJob(backup), undefined, limitMs),
    runWithin("restore.ts", await writeJob(restore), azureEnv, limitMs),
  ]);
  for (const [run, endpoint] of [[runs[0], s3Url], [runs[1], azureUrl]] as const) {
    assert.equal(run.code, 4, `exit ${run.code} after ${run.seconds} s: ${run.stderr}`);
    assert.ok(run.seconds < 60, `stopped only after ${run.seconds} s`);
    const log = logMessages(run.stderr);
    assert.match(log, new RegExp(`Storage at ${endpoint} .*did not answer for 30 s`));
  }
});
