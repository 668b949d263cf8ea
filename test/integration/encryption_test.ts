/**
 * Encryption at rest against the real broker and storage servers: encrypted round trips
 * through a local directory, S3 and Azure; no key, value, header, group or config in the
 * stored bytes; --verify with and without keys; a wrong key, a changed chunk and a
 * changed header each exit 5 before a record of them is produced; a key rotation across
 * backups of one archive (in the clear, then key k1, then k2) restored with both keys.
 */
import { createBucket } from "../helpers/s3.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { BlobServiceClient } from "@azure/storage-blob";
import { azureConnectionString, kafkaBootstrap, randomName, s3Endpoint } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord, type TestRecord } from "../helpers/records.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { setGroupOffsets } from "../helpers/groups.ts";
import { sha256Hex } from "../../lib/archive/checksum.ts";
import { formatSidecar } from "../../lib/archive/checksum.ts";

const key = () => crypto.getRandomValues(new Uint8Array(32));
const K1 = key();
const K2 = key();
/** The keys reach the scripts only through the environment, as the job files require. */
const ENV = {
  KB_TEST_K1: Buffer.from(K1).toString("base64"),
  KB_TEST_K2: Buffer.from(K2).toString("hex"),
  KB_TEST_WRONG: Buffer.from(key()).toString("base64"),
};
const withK1 = { ENCRYPTION_KEY: "${KB_TEST_K1}", ENCRYPTION_KEY_ID: "k1" };
const withK2 = { ENCRYPTION_KEY: "${KB_TEST_K2}", ENCRYPTION_KEY_ID: "k2" };
const bothKeys = { DECRYPTION_KEYS: { k1: "${KB_TEST_K1}", k2: "${KB_TEST_K2}" } };

/** Records whose every key, value and header value carries `marker`, to look for it later. */
const dataset = (marker: string, start: number, n: number): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition: (start + i) % 2,
    key: (start + i) % 7 === 0 ? null : bytes(`${marker}-key-${start + i}`),
    value: (start + i) % 11 === 0 ? null : bytes(`${marker}-value-${start + i} `.repeat(3)),
    headers: [["h", bytes(`${marker}-header-${start + i}`)], ["n", null]],
  }));

const view = (rs: TestRecord[]) => rs.map((r) => describeRecord(r, { timestamp: true }));

/** Every file below `dir` (recursively), for looking into the stored bytes. */
async function* files(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* files(path);
    else yield path;
  }
}

/** The files below `dir` that contain `text`. */
async function filesWith(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for await (const path of files(dir)) {
    if (Buffer.from(await Deno.readFile(path)).includes(text)) found.push(path);
  }
  return found;
}

/** The chunk files of a partition of a local archive, sorted. */
const chunksOf = (dir: string, topic: string, partition: number) =>
  [...Deno.readDirSync(`${dir}/${topic}/${partition}`)].map((e) => e.name)
    .filter((n) => n.endsWith(".chunk")).sort().map((n) => `${dir}/${topic}/${partition}/${n}`);

/** Rewrites a stored chunk (through `change`) with a sidecar and index entry that match it. */
async function rewriteChunk(path: string, change: (bytes: Uint8Array) => void): Promise<void> {
  const data = await Deno.readFile(path);
  change(data);
  await Deno.writeFile(path, data);
  const sha256 = sha256Hex(data);
  await Deno.writeTextFile(`${path}.sha256`, formatSidecar(sha256, path.split("/").at(-1)!));
  const entry = JSON.parse(await Deno.readTextFile(`${path}.json`));
  await Deno.writeTextFile(`${path}.json`, JSON.stringify({ ...entry, sha256 }) + "\n");
}

Deno.test("an encrypted backup hides every payload, verifies with and without keys, and restores only with its key", async () => {
  const topic = randomName("enc");
  await createTopic(kafkaBootstrap(), topic, {
    partitions: 2,
    config: { "retention.ms": "987654321123" },
  });
  const marker = randomName("plain");
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset(marker, 0, 400));
  const group = `${marker}-group`;
  await setGroupOffsets(kafkaBootstrap(), group, topic, { 0: 50, 1: 60 });
  const dir = await Deno.makeTempDir();
  const backup = backupJob([topic], dir, { ...withK1, NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100 });
  expectExit(await runScript("backup.ts", [await writeJob(backup)], ENV), 0);

  // Nothing of the records, the group or the topic's configs is in any stored byte.
  for (const secret of [`${marker}-key`, `${marker}-value`, `${marker}-header`, group]) {
    assert.deepEqual(await filesWith(dir, secret), [], secret);
  }
  assert.deepEqual(await filesWith(dir, "987654321123"), [], "the topic's retention.ms");
  assert.deepEqual(await filesWith(dir, ENV.KB_TEST_K1), [], "the key itself");
  for (const path of chunksOf(dir, topic, 0)) assert.equal((await Deno.readFile(path))[8], 2);
  // sha256sum -c checks the stored bytes without any key.
  const sums = await new Deno.Command("sh", {
    args: ["-c", "sha256sum -c *.sha256"],
    cwd: `${dir}/${topic}/0`,
    stdout: "piped",
  }).output();
  assert.equal(sums.code, 0, new TextDecoder().decode(sums.stdout));

  const target = randomName("enc-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 2 });
  const restore = (extra: Record<string, unknown>) =>
    writeJob(restoreJob(topic, target, dir, extra));
  const withKeys = await restore({ DECRYPTION_KEYS: { k1: "${KB_TEST_K1}" } });
  const withoutKeys = await restore({});

  // --verify without keys: every sha256; with them: every tag and record too.
  const keyless = await runScript("restore.ts", ["--verify", "--json", withoutKeys], ENV);
  expectExit(keyless, 0);
  const unchecked = JSON.parse(keyless.stdout);
  assert.equal(unchecked.chunks, 4);
  assert.equal(unchecked.checksumOnly, 4 + 2, "4 chunks, a topic config and a group snapshot");
  const full = await runScript("restore.ts", ["--verify", "--json", withKeys], ENV);
  expectExit(full, 0);
  const checked = JSON.parse(full.stdout);
  assert.deepEqual([checked.chunks, checked.records, checked.checksumOnly], [4, 400, undefined]);
  // The encrypted group snapshot opens with the key (a dry run reads it).
  const dry = await runScript(
    "restore.ts",
    [
      "--dry-run",
      await restore({ DECRYPTION_KEYS: { k1: "${KB_TEST_K1}" }, RESTORE_CONSUMER_GROUPS: [group] }),
    ],
    ENV,
  );
  expectExit(dry, 0);
  assert.match(dry.stdout, new RegExp(group));

  // No key, or a wrong one: exit 5 naming a chunk and the key id, and nothing produced.
  const none = await runScript("restore.ts", [withoutKeys], ENV);
  expectExit(none, 5);
  assert.match(
    logMessages(none.stderr),
    new RegExp(`chunk ${topic}/\\d/\\d{20}-\\d{20}\\.chunk.*key id "k1"`),
  );
  const wrong = await runScript("restore.ts", [
    await restore({ DECRYPTION_KEYS: { k1: "${KB_TEST_WRONG}" } }),
  ], ENV);
  expectExit(wrong, 5);
  assert.match(logMessages(wrong.stderr), /key id "k1" is not the key it was encrypted with/);
  for (const result of [none, wrong]) {
    assert.ok(
      !result.stderr.includes(ENV.KB_TEST_K1) && !result.stderr.includes(ENV.KB_TEST_WRONG),
    );
  }
  assert.equal((await readTopicWithKcat(kafkaBootstrap(), target)).length, 0);

  expectExit(await runScript("restore.ts", [withKeys], ENV), 0);
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.equal(source.length, 400);
  assert.deepEqual(view(await readTopicWithKcat(kafkaBootstrap(), target)), view(source));

  // A changed body byte, and a changed header byte, each with a sidecar and entry made to
  // match: only the authentication finds them, and no record of them is produced.
  const [first, second] = chunksOf(dir, topic, 0);
  await rewriteChunk(first, (data) => {
    data[data.length - 20] ^= 0x01;
  });
  await rewriteChunk(second, (data) => {
    // The last digit of "createdAt" in the header (its value is the only ISO instant there).
    const at = Buffer.from(data).indexOf("Z", Buffer.from(data).indexOf("createdAt")) - 1;
    data[at] = data[at] === 0x30 ? 0x31 : 0x30;
  });
  const entry = JSON.parse(await Deno.readTextFile(`${second}.json`));
  const created = entry.createdAt as string;
  const digit = created.at(-2) === "0" ? "1" : "0";
  await Deno.writeTextFile(
    `${second}.json`,
    JSON.stringify({ ...entry, createdAt: created.slice(0, -2) + digit + "Z" }) + "\n",
  );
  const tampered = await runScript("restore.ts", ["--verify", withKeys], ENV);
  expectExit(tampered, 5);
  const problems = tampered.stdout.split("\n").filter((l) => /authentication failed/.test(l));
  assert.equal(problems.length, 2, tampered.stdout);
  assert.match(problems.join("\n"), new RegExp(first.split("/").at(-1)!));
  assert.match(problems.join("\n"), new RegExp(second.split("/").at(-1)!));
  const again = randomName("enc-tampered");
  await createTopic(kafkaBootstrap(), again, { partitions: 2 });
  const bad = await runScript(
    "restore.ts",
    [await writeJob(restoreJob(topic, again, dir, { DECRYPTION_KEYS: { k1: "${KB_TEST_K1}" } }))],
    ENV,
  );
  expectExit(bad, 5);
  assert.match(logMessages(bad.stderr), /authentication failed/);
  const produced = await readTopicWithKcat(kafkaBootstrap(), again);
  assert.equal(produced.filter((r) => r.partition === 0).length, 0, "records of the bad chunk");
});

Deno.test("a key rotation: an archive in the clear, then under k1, then k2, restores with both keys", async () => {
  const topic = randomName("rotate");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  const dir = await Deno.makeTempDir();
  const run = async (keys: Record<string, unknown>, start: number | null) => {
    if (start !== null) {
      await produceWithKafkajs(kafkaBootstrap(), topic, dataset("rot", start, 100));
    }
    const job = backupJob([topic], dir, { ...keys, NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 40 });
    return await runScript("backup.ts", [await writeJob(job)], ENV);
  };
  expectExit(await run({}, 0), 0);
  expectExit(await run(withK1, 100), 0);
  expectExit(await run(withK2, 200), 0);
  // A new key under an id the archive already uses for another key is refused, at once.
  const reused = await run({ ENCRYPTION_KEY: "${KB_TEST_WRONG}", ENCRYPTION_KEY_ID: "k2" }, null);
  expectExit(reused, 2);
  assert.match(logMessages(reused.stderr), /ENCRYPTION_KEY_ID "k2" names .*give a new key a new/);

  const target = randomName("rotate-target");
  await createTopic(kafkaBootstrap(), target, { partitions: 2 });
  const onlyNew = await writeJob(
    restoreJob(topic, target, dir, { DECRYPTION_KEYS: { k2: "${KB_TEST_K2}" } }),
  );
  const list = await runScript("restore.ts", ["--list", "--json", onlyNew], ENV);
  expectExit(list, 0);
  const inventory = JSON.parse(list.stdout);
  assert.deepEqual(inventory.partitions[0].keyIds, ["k1", "k2"]);
  assert.deepEqual(inventory.missingKeyIds, ["k1"]);
  // Only the new key: exit 5 naming an old chunk and its key id, before any record.
  const failed = await runScript("restore.ts", [onlyNew], ENV);
  expectExit(failed, 5);
  assert.match(
    logMessages(failed.stderr),
    new RegExp(
      `chunk ${topic}/\\d/\\d{20}-\\d{20}\\.chunk: it is encrypted with key id "k1", which DECRYPTION_KEYS does not give \\(it gives "k2"\\); \\d+ more chunk`,
    ),
  );
  assert.equal((await readTopicWithKcat(kafkaBootstrap(), target)).length, 0);
  // Both keys: old and new chunks, and the chunks in the clear, all of it.
  const both = await writeJob(restoreJob(topic, target, dir, bothKeys));
  const verify = await runScript("restore.ts", ["--verify", "--json", both], ENV);
  expectExit(verify, 0);
  assert.equal(JSON.parse(verify.stdout).records, 300);
  expectExit(await runScript("restore.ts", [both], ENV), 0);
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.equal(source.length, 300);
  assert.deepEqual(view(await readTopicWithKcat(kafkaBootstrap(), target)), view(source));
});

async function cloudRoundTrip(storage: Record<string, unknown>, env: Record<string, string>) {
  const topic = randomName("enc-cloud");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(kafkaBootstrap(), topic, dataset("cloud", 0, 300));
  const staging = await Deno.makeTempDir();
  const backup = backupJob([topic], staging, {
    ...storage,
    ...withK2,
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 100,
  });
  expectExit(await runScript("backup.ts", [await writeJob(backup)], { ...ENV, ...env }), 0);
  const target = randomName("enc-cloud-target");
  const restore = await writeJob(restoreJob(topic, target, staging, {
    ...storage,
    ...bothKeys,
    CREATE_TOPIC: true,
  }));
  const verify = await runScript("restore.ts", ["--verify", "--json", restore], { ...ENV, ...env });
  expectExit(verify, 0);
  assert.deepEqual(JSON.parse(verify.stdout).records, 300);
  expectExit(await runScript("restore.ts", [restore], { ...ENV, ...env }), 0);
  const source = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.equal(source.length, 300);
  assert.deepEqual(view(await readTopicWithKcat(kafkaBootstrap(), target)), view(source));
}

Deno.test("an encrypted backup to S3 restores from it", async () => {
  const bucket = await createBucket("enc-bucket");
  await cloudRoundTrip(
    { FILESYSTEM_TYPE: "S3", BUCKET_NAME: bucket, S3_ENDPOINT: s3Endpoint() },
    {},
  );
});

Deno.test("an encrypted backup to Azure Blob restores from it", async () => {
  const container = randomName("enc-container");
  await BlobServiceClient.fromConnectionString(azureConnectionString()).getContainerClient(
    container,
  ).create();
  await cloudRoundTrip(
    { FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: container, STORAGE_PREFIX: "sealed" },
    { AZURE_STORAGE_CONNECTION_STRING: azureConnectionString() },
  );
});
