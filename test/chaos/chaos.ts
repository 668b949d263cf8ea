/**
 * Chaos run: each iteration backs up a fresh topic and restores it, killing the running
 * backup.ts or restore.ts with SIGKILL at a random moment (sometimes while the object
 * store is unreachable, sometimes after the Kafka broker itself crashed and restarted
 * under it, sometimes after a second backup process joined the group and took some of
 * the partitions), runs it again to completion, and counts records lost and duplicated,
 * in the archive and in the restored topic. Both counts must be 0.
 *
 * It uses the second test broker ("kafka2"), so that crashing it leaves the main one alone.
 *
 * Usage (services from test/services must be running, as test/chaos/run.sh does):
 *   deno run -A test/chaos/chaos.ts [--iterations 20] [--records 3000] [--seed N]
 */
import { parseArgs } from "node:util";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { kafkaBootstrap2, randomName, s3Endpoint } from "../helpers/env.ts";
import { crashAndRestartBroker } from "../helpers/broker.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { runScript, spawnScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { readArchive } from "../helpers/archive.ts";
import { TcpProxy } from "../helpers/tcp_proxy.ts";
import { S3Backend } from "../../lib/storage/s3.ts";

export interface IterationResult {
  iteration: number;
  storage: "local" | "s3";
  archiveLost: number;
  archiveDuplicated: number;
  restoreLost: number;
  restoreDuplicated: number;
  /** What happened before each kill, e.g. "backup: broker crash". */
  disruptions: string[];
  failures: string[];
}

/** The broker the chaos run uses and may crash. */
const BROKER = "kafka2";

/** What may happen to a script's surroundings before it is killed. */
export type Disruption = "none" | "s3 cut" | "broker crash" | "second member";

/**
 * A random disruption: the object store is cut only where there is one, and a second
 * member joins only a backup's group (a restore has none).
 */
function pickDisruption(
  random: () => number,
  hasObjectStore: boolean,
  backup: boolean,
): Disruption {
  const r = random();
  if (r < 0.3) return "none";
  if (r < 0.55 && hasObjectStore) return "s3 cut";
  if (r < 0.75 && backup) return "second member";
  return "broker crash";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Key, value and headers of a record (partitions differ under "random" and "key"). */
const identity = (record: TestRecord): string => describeRecord(record, { partition: false });

/** Records lost and duplicated in `actual` against `expected`, by identity string. */
export function lostAndDuplicated(
  expected: string[],
  actual: string[],
): { lost: number; duplicated: number } {
  const counts = new Map<string, number>();
  for (const id of actual) counts.set(id, (counts.get(id) ?? 0) + 1);
  let lost = 0;
  for (const id of expected) if (!counts.has(id)) lost++;
  let duplicated = 0;
  for (const n of counts.values()) duplicated += n - 1;
  return { lost, duplicated };
}

/** The script's last ERROR log lines (or the end of its output when it has none). */
function lastErrors(log: string): string {
  const errors = log.split("\n").filter((line) => line.includes('"level":"ERROR"'));
  return errors.length > 0 ? errors.slice(-3).join("\n").slice(-1500) : log.slice(-400);
}

/** A spawned script whose output is collected, and whether it has exited. */
function spawnWatched(script: "backup.ts" | "restore.ts", job: string) {
  const child = spawnScript(script, [job]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  return {
    child,
    status,
    stderr: new Response(child.stderr).text(),
    get exited() {
      return exited;
    },
  };
}

/** Kills a watched script (if still running); a failure message when it had ended with an error. */
async function killWatched(
  script: string,
  watched: ReturnType<typeof spawnWatched>,
): Promise<string | null> {
  if (!watched.exited) watched.child.kill("SIGKILL");
  const { code, signal } = await watched.status;
  await watched.child.stdout.cancel();
  const log = await watched.stderr;
  return signal === null && code !== 0
    ? `${script} exit ${code} before the kill: ${lastErrors(log)}`
    : null;
}

/**
 * Runs `script` until a random moment and kills it with SIGKILL, sometimes cutting the
 * storage first, crashing and restarting the broker under it, or starting a second
 * backup (`secondJob`: same group and archive) that takes some of its partitions and is
 * killed a moment after it. Returns failure messages of scripts that ended by themselves
 * with an error.
 */
async function killAtRandom(
  script: "backup.ts" | "restore.ts",
  job: string,
  proxy: TcpProxy | null,
  random: () => number,
  disruption: Disruption,
  secondJob = job,
): Promise<string[]> {
  const first = spawnWatched(script, job);
  let second: ReturnType<typeof spawnWatched> | null = null;
  await sleep(1000 + random() * 3000);
  if (proxy && disruption === "s3 cut") {
    proxy.down();
    await sleep(500 + random() * 1500);
  } else if (disruption === "broker crash") {
    // The broker crashes under the running script and comes back; the script must ride
    // through it (kafkajs reconnects), and is killed a moment later.
    await crashAndRestartBroker(BROKER, kafkaBootstrap2(), 500 + random() * 2500);
    await sleep(random() * 2000);
  } else if (disruption === "second member") {
    // Partitions move to the newcomer while chunks are open or still being written.
    second = spawnWatched(script, secondJob);
    await sleep(1000 + random() * 3000);
  }
  const failures = [await killWatched(script, first)];
  if (second) {
    // The second member takes every partition over, and is killed in its turn.
    await sleep(random() * 3000);
    failures.push(await killWatched(`${script} (second member)`, second));
  }
  proxy?.up();
  return failures.filter((f): f is string => f !== null);
}

/** Disruptions to use instead of random ones (the test suite makes sure each is seen). */
export interface ForcedDisruptions {
  storage?: "local" | "s3";
  backup?: Disruption;
  restore?: Disruption;
}

/** One backup + restore cycle with kills; returns what was lost or duplicated. */
export async function chaosIteration(
  iteration: number,
  records: number,
  random: () => number,
  force: ForcedDisruptions = {},
): Promise<IterationResult> {
  const storage = force.storage ?? (random() < 0.5 ? "local" : "s3");
  const failures: string[] = [];
  const backupDisruption = force.backup ?? pickDisruption(random, storage === "s3", true);
  const restoreDisruption = force.restore ?? pickDisruption(random, storage === "s3", false);
  const disruptions = [`backup: ${backupDisruption}`, `restore: ${restoreDisruption}`];
  const topic = randomName(`chaos${iteration}`);
  await createTopic(kafkaBootstrap2(), topic, { partitions: 3 });
  const data: TestRecord[] = Array.from({ length: records }, (_, i) => ({
    partition: i % 3,
    key: bytes(`${topic}-${i}`),
    value: bytes(`value ${i} `.repeat(10)),
    headers: [["n", bytes(String(i))]],
  }));
  await produceWithKafkajs(kafkaBootstrap2(), topic, data);
  // A record's identity is its content (key, value, headers), not just its key: a record
  // that came back altered counts as lost.
  const ids = data.map(identity);

  const dir = await Deno.makeTempDir();
  let proxy: TcpProxy | null = null;
  let keys: Record<string, unknown> = {};
  let backend = null;
  if (storage === "s3") {
    proxy = TcpProxy.start(s3Endpoint());
    const bucket = randomName("chaos");
    const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: "us-east-1" });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    keys = {
      FILESYSTEM_TYPE: "S3",
      BUCKET_NAME: bucket,
      S3_ENDPOINT: proxy.url,
      RETRY_UPLOAD_SECONDS: 1,
    };
    backend = new S3Backend({ bucket, endpoint: s3Endpoint(), forcePathStyle: true });
  }
  try {
    const backupKeys = {
      ...keys,
      BOOTSTRAP_SERVERS: kafkaBootstrap2(),
      RUN_MODE: "continuous",
      NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 200 + Math.floor(random() * 400),
      MAX_CHUNK_AGE_SECONDS: 1,
      NUMBER_OF_KAFKA_THREADS: 1 + Math.floor(random() * 2),
    };
    const backup = await writeJob(backupJob([topic], dir, backupKeys));
    // A second member shares the archive; a cloud backup's staging directory is its own.
    const secondBackup = storage === "local"
      ? backup
      : await writeJob(backupJob([topic], await Deno.makeTempDir(), backupKeys));
    failures.push(
      ...await killAtRandom("backup.ts", backup, proxy, random, backupDisruption, secondBackup),
    );
    const finished = await runScript("backup.ts", ["--once", backup]);
    if (finished.code !== 0) {
      failures.push(`backup exit ${finished.code}: ${finished.stderr.slice(-400)}`);
    }
    const archived = await readArchive(backend ?? dir, topic);
    const inArchive = lostAndDuplicated(
      ids,
      archived.records.map(identity),
    );

    const target = randomName(`chaos${iteration}-target`);
    await createTopic(kafkaBootstrap2(), target, { partitions: 3 });
    const restoreKeys = { ...keys };
    delete restoreKeys.RETRY_UPLOAD_SECONDS;
    const restore = await writeJob(restoreJob(topic, target, dir, {
      ...restoreKeys,
      BOOTSTRAP_SERVERS: kafkaBootstrap2(),
      RESTORE_PARTITION_STRATEGY: ["same", "random", "key"][Math.floor(random() * 3)],
      RECORDS_PER_TRANSACTION: 20 + Math.floor(random() * 100),
      RETRY_SECONDS: 1,
    }));
    failures.push(...await killAtRandom("restore.ts", restore, proxy, random, restoreDisruption));
    const restored = await runScript("restore.ts", [restore]);
    if (restored.code !== 0) {
      failures.push(`restore exit ${restored.code}: ${restored.stderr.slice(-400)}`);
    }
    const inTarget = lostAndDuplicated(
      ids,
      (await readTopicWithKcat(kafkaBootstrap2(), target)).map(identity),
    );
    return {
      iteration,
      storage,
      archiveLost: inArchive.lost,
      archiveDuplicated: inArchive.duplicated,
      restoreLost: inTarget.lost,
      restoreDuplicated: inTarget.duplicated,
      disruptions,
      failures,
    };
  } finally {
    proxy?.down();
  }
}

/** A small deterministic generator, so a failing run can be repeated with --seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      iterations: { type: "string", default: "20" },
      records: { type: "string", default: "3000" },
      seed: { type: "string", default: String(Date.now() % 100000) },
    },
  });
  const random = seededRandom(Number(values.seed));
  console.log(
    `chaos: ${values.iterations} iterations, ${values.records} records each, seed ${values.seed}`,
  );
  const totals = { lost: 0, duplicated: 0, failures: 0 };
  for (let i = 1; i <= Number(values.iterations); i++) {
    const r = await chaosIteration(i, Number(values.records), random);
    totals.lost += r.archiveLost + r.restoreLost;
    totals.duplicated += r.archiveDuplicated + r.restoreDuplicated;
    totals.failures += r.failures.length;
    console.log(
      `iteration ${i} (${r.storage}): archive lost ${r.archiveLost} duplicated ${r.archiveDuplicated}; ` +
        `restore lost ${r.restoreLost} duplicated ${r.restoreDuplicated}` +
        ` (${r.disruptions.join(", ")})` +
        (r.failures.length ? `; failures: ${r.failures.join(" | ")}` : ""),
    );
  }
  console.log(
    `total: lost ${totals.lost}, duplicated ${totals.duplicated}, failed runs ${totals.failures}`,
  );
  Deno.exit(totals.lost + totals.duplicated + totals.failures === 0 ? 0 : 1);
}
