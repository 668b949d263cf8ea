/**
 * Chaos run: each iteration backs up a fresh topic and restores it, killing the running
 * backup.ts or restore.ts with SIGKILL at a random moment, after one disruption of its
 * surroundings (disruptions.ts: the object store cut off or failing a third of its
 * requests, Azurite restarted, the disk full, the Kafka broker crashed and restarted, a
 * second backup process joining the group), runs it again to completion, and counts
 * records lost and duplicated, in the archive and in the restored topic. Both counts
 * must be 0.
 *
 * It uses the second test broker ("kafka2"), so that crashing it leaves the main one alone.
 *
 * Usage (services from test/services must be running, as test/chaos/run.sh does):
 *   deno run -A test/chaos/chaos.ts [--iterations 20] [--records 3000] [--seed N]
 */
import { parseArgs } from "node:util";
import { kafkaBootstrap2, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { runScript, spawnScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { readArchive } from "../helpers/archive.ts";
import { canMount } from "../helpers/tmpfs.ts";
import { disrupt, type Disruption, pickDisruption, startsWithScript } from "./disruptions.ts";
import { type ChaosStorage, chaosStorage, type StorageKind } from "./storage.ts";

export interface IterationResult {
  iteration: number;
  storage: StorageKind;
  archiveLost: number;
  archiveDuplicated: number;
  restoreLost: number;
  restoreDuplicated: number;
  /** What happened before each kill, e.g. "backup: broker crash". */
  disruptions: string[];
  /** Processes killed with SIGKILL (those that had ended by themselves are not counted). */
  kills: number;
  /** Times the backup stopped by itself with exit 4 on the full disk. */
  diskFullExits: number;
  /** Requests the fault proxy failed ("throttling"). */
  storageFaults: number;
  failures: string[];
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

type Script = "backup.ts" | "restore.ts";

/** A spawned script whose output is collected, and whether it has exited. */
function spawnWatched(script: Script, job: string, env: Record<string, string>) {
  const child = spawnScript(script, [job], env);
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
    /** Resolves once the script has exited or `ms` have passed. */
    endedWithin: (ms: number) => Promise.race([status, sleep(ms)]),
  };
}

/**
 * Kills a watched script (if still running). Returns whether it was killed, and a
 * failure message when it had ended by itself with an exit code other than `allowed`.
 */
async function killWatched(
  name: string,
  watched: ReturnType<typeof spawnWatched>,
  allowed: number,
): Promise<{ killed: boolean; failure: string | null; code: number | null }> {
  const killed = !watched.exited;
  if (killed) watched.child.kill("SIGKILL");
  const { code, signal } = await watched.status;
  await watched.child.stdout.cancel();
  const log = await watched.stderr;
  const ended = signal === null ? code : null;
  const failure = ended !== null && ended !== 0 && ended !== allowed
    ? `${name} exit ${code} before the kill: ${lastErrors(log)}`
    : null;
  return { killed, failure, code: ended };
}

/** A script run until a random moment, disrupted, then killed. */
interface KillRun {
  script: Script;
  job: string;
  /** The job of a second backup in the same group (disruption "second member"). */
  secondJob: string;
  storage: ChaosStorage;
  disruption: Disruption;
  random: () => number;
}

interface KillOutcome {
  kills: number;
  /** Times the backup stopped by itself with exit 4 on the full disk. */
  diskFullExits: number;
  failures: string[];
}

/**
 * Runs the script until a random moment, lets its disruption happen (a "second member"
 * takes some of the partitions and is killed a moment after the first), and kills it
 * with SIGKILL. On a full disk the backup may stop by itself first, with exit 4.
 */
async function killAtRandom(run: KillRun): Promise<KillOutcome> {
  const { script, storage, disruption, random } = run;
  let end = startsWithScript(disruption) ? await disrupt(disruption, storage, random) : null;
  const first = spawnWatched(script, run.job, storage.env);
  // A full disk comes soon: a backup that has already stored everything writes nothing.
  await sleep(disruption === "disk full" ? random() * 1500 : 1000 + random() * 3000);
  let second: ReturnType<typeof spawnWatched> | null = null;
  if (disruption === "second member") {
    second = spawnWatched(script, run.secondJob, storage.env);
    await sleep(1000 + random() * 3000);
  }
  end ??= await disrupt(disruption, storage, random);
  if (disruption === "disk full") await first.endedWithin(5000);
  const results = [await killWatched(script, first, disruption === "disk full" ? 4 : 0)];
  if (second) {
    await sleep(random() * 3000);
    results.push(await killWatched(`${script} (second member)`, second, 0));
  }
  await end();
  return {
    kills: results.filter((r) => r.killed).length,
    diskFullExits: disruption === "disk full" ? results.filter((r) => r.code === 4).length : 0,
    failures: results.map((r) => r.failure).filter((f): f is string => f !== null),
  };
}

/** Disruptions to use instead of random ones (the test suite makes sure each is seen). */
export interface ForcedDisruptions {
  storage?: StorageKind;
  backup?: Disruption;
  restore?: Disruption;
}

const STORAGES: readonly StorageKind[] = ["local", "s3", "azure"];

/** One backup + restore cycle with kills; returns what was lost or duplicated. */
export async function chaosIteration(
  iteration: number,
  records: number,
  random: () => number,
  force: ForcedDisruptions = {},
): Promise<IterationResult> {
  const kind = force.storage ?? STORAGES[Math.floor(random() * STORAGES.length)];
  const backupDisruption = force.backup ??
    pickDisruption(random, { storage: kind, backup: true, tmpfs: canMount });
  const restoreDisruption = force.restore ??
    pickDisruption(random, { storage: kind, backup: false, tmpfs: false });
  const topic = randomName(`chaos${iteration}`);
  const data = await produceData(topic, records);
  const storage = await chaosStorage(kind, backupDisruption === "disk full", iteration);
  try {
    const backup = await backUp(topic, storage, backupDisruption, random);
    const archived = await readArchive(storage.archive, topic);
    const restore = await restoreAtRandom(topic, storage, restoreDisruption, random);
    const inArchive = lostAndDuplicated(data, archived.records.map(identity));
    const inTarget = lostAndDuplicated(data, restore.restored);
    return {
      iteration,
      storage: kind,
      archiveLost: inArchive.lost,
      archiveDuplicated: inArchive.duplicated,
      restoreLost: inTarget.lost,
      restoreDuplicated: inTarget.duplicated,
      disruptions: [`backup: ${backupDisruption}`, `restore: ${restoreDisruption}`],
      kills: backup.kills + restore.kills,
      diskFullExits: backup.diskFullExits,
      storageFaults: storage.faults?.injected ?? 0,
      failures: [...backup.failures, ...restore.failures],
    };
  } finally {
    await storage.close();
  }
}

/**
 * Produces `count` records on a new 3-partition topic; returns their identities (a
 * record's content, not just its key: one that comes back altered counts as lost).
 */
async function produceData(topic: string, count: number): Promise<string[]> {
  await createTopic(kafkaBootstrap2(), topic, { partitions: 3 });
  const data: TestRecord[] = Array.from({ length: count }, (_, i) => ({
    partition: i % 3,
    key: bytes(`${topic}-${i}`),
    value: bytes(`value ${i} `.repeat(10)),
    headers: [["n", bytes(String(i))]],
  }));
  await produceWithKafkajs(kafkaBootstrap2(), topic, data);
  return data.map(identity);
}

/** A continuous backup killed at random, then a `--once` run to the end of the topic. */
async function backUp(
  topic: string,
  storage: ChaosStorage,
  disruption: Disruption,
  random: () => number,
): Promise<KillOutcome> {
  const keys = {
    ...storage.keys,
    BOOTSTRAP_SERVERS: kafkaBootstrap2(),
    RUN_MODE: "continuous",
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 200 + Math.floor(random() * 400),
    MAX_CHUNK_AGE_SECONDS: 1,
    NUMBER_OF_KAFKA_THREADS: 1 + Math.floor(random() * 2),
    RETRY_UPLOAD_SECONDS: 1,
  };
  const job = await writeJob(backupJob([topic], storage.dir, keys));
  // A second member shares the archive; a cloud backup's staging directory is its own.
  const secondJob = storage.kind === "local"
    ? job
    : await writeJob(backupJob([topic], await Deno.makeTempDir(), keys));
  const outcome = await killAtRandom({
    script: "backup.ts",
    job,
    secondJob,
    storage,
    disruption,
    random,
  });
  const finished = await runScript("backup.ts", ["--once", job], storage.env);
  if (finished.code !== 0) {
    outcome.failures.push(`backup exit ${finished.code}: ${finished.stderr.slice(-400)}`);
  }
  return outcome;
}

/** A restore to a new topic killed at random, then run again to the end; what it restored. */
async function restoreAtRandom(
  topic: string,
  storage: ChaosStorage,
  disruption: Disruption,
  random: () => number,
): Promise<KillOutcome & { restored: string[] }> {
  const target = randomName(`${topic}-target`);
  await createTopic(kafkaBootstrap2(), target, { partitions: 3 });
  const job = await writeJob(restoreJob(topic, target, storage.dir, {
    ...storage.keys,
    BOOTSTRAP_SERVERS: kafkaBootstrap2(),
    RESTORE_PARTITION_STRATEGY: ["same", "random", "key"][Math.floor(random() * 3)],
    RECORDS_PER_TRANSACTION: 20 + Math.floor(random() * 100),
    RETRY_SECONDS: 1,
  }));
  const outcome = await killAtRandom({
    script: "restore.ts",
    job,
    secondJob: job,
    storage,
    disruption,
    random,
  });
  const restored = await runScript("restore.ts", [job], storage.env);
  if (restored.code !== 0) {
    outcome.failures.push(`restore exit ${restored.code}: ${restored.stderr.slice(-400)}`);
  }
  const records = await readTopicWithKcat(kafkaBootstrap2(), target);
  return { ...outcome, restored: records.map(identity) };
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
  const started = Date.now();
  const totals = { lost: 0, duplicated: 0, failures: 0, kills: 0, diskFullExits: 0, faults: 0 };
  const seen = new Map<string, number>();
  const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
  for (let i = 1; i <= Number(values.iterations); i++) {
    const r = await chaosIteration(i, Number(values.records), random);
    totals.lost += r.archiveLost + r.restoreLost;
    totals.duplicated += r.archiveDuplicated + r.restoreDuplicated;
    totals.failures += r.failures.length;
    totals.kills += r.kills;
    totals.diskFullExits += r.diskFullExits;
    totals.faults += r.storageFaults;
    count(r.storage);
    r.disruptions.forEach(count);
    console.log(
      `iteration ${i} (${r.storage}): archive lost ${r.archiveLost} duplicated ${r.archiveDuplicated}; ` +
        `restore lost ${r.restoreLost} duplicated ${r.restoreDuplicated}` +
        ` (${r.disruptions.join(", ")})` +
        (r.failures.length ? `; failures: ${r.failures.join(" | ")}` : ""),
    );
  }
  const tally = [...seen].sort().map(([what, n]) => `${what} ${n}`).join(", ");
  console.log(`seen: ${tally}`);
  console.log(
    `total: ${totals.kills} kills, ${totals.diskFullExits} disk-full exits, ` +
      `${totals.faults} failed storage requests; ` +
      `lost ${totals.lost}, duplicated ${totals.duplicated}, failed runs ${totals.failures}; ` +
      `${Math.round((Date.now() - started) / 1000)} s`,
  );
  Deno.exit(totals.lost + totals.duplicated + totals.failures === 0 ? 0 : 1);
}
