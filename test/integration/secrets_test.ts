/**
 * No secret is ever written anywhere: backup and restore run with every kind of credential
 * (a SCRAM password, an AWS secret key, an Azure account key and a SAS, an encryption key
 * and decryption keys, all from the environment), succeed, then fail on purpose (wrong
 * password, wrong keys, unreachable storage, invalid or literal secrets), all at DEBUG. No
 * secret may then be found in stdout, stderr, the archive in the local directory, S3 or
 * Azure, the staging directories, the metrics files or the runs' temporary directory.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
  BlobServiceClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import {
  azureConnectionString,
  kafkaBootstrap,
  randomName,
  requireEnv,
  s3Endpoint,
} from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes } from "../helpers/records.ts";
import { type CliResult, expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import {
  azureBlobs,
  keySecret,
  leaksIn,
  leaksInFiles,
  s3Objects,
  type Secret,
  textSecret,
} from "../helpers/secrets.ts";

const key = () => crypto.getRandomValues(new Uint8Array(32));
const K1 = key(), K0 = key(), WRONG_KEY = key();
const AZURITE_ACCOUNT = "devstoreaccount1";
const azuriteKey = () => /AccountKey=([^;]+)/.exec(azureConnectionString())![1];
const azuriteUrl = () => /BlobEndpoint=([^;]+)/.exec(azureConnectionString())![1];
const WRONG_AZURE_KEY = Buffer.from(crypto.getRandomValues(new Uint8Array(64))).toString("base64");
const AWS_SECRET = "AwsSecretKey-Qz71Rb-Lk40Xw-do-not-leak";
const WRONG_PASSWORD = "Wrong-Scram-Pa55-Tn58Jc";
const INVALID_KEY = "EncKey-Invalid-Zr82Mq-not-base64!";
const LITERAL_PASSWORD = "Literal-Pa55-Jq61Wn";

/** A container SAS signed with `accountKey` (a wrong key gives a SAS Azurite refuses). */
function sasToken(container: string, accountKey: string): string {
  return generateBlobSASQueryParameters({
    containerName: container,
    permissions: ContainerSASPermissions.parse("racwdl"),
    expiresOn: new Date(Date.now() + 3_600_000),
  }, new StorageSharedKeyCredential(AZURITE_ACCOUNT, accountKey)).toString();
}

const sigOf = (sas: string) => new URLSearchParams(sas).get("sig")!;

/** Each secret of the run, and the forms to look for. */
function allSecrets(sas: string, wrongSas: string): Secret[] {
  return [
    textSecret("SCRAM password", requireEnv("KB_TEST_SCRAM512_PASSWORD")),
    textSecret("wrong SCRAM password", WRONG_PASSWORD),
    textSecret("literal SASL password", LITERAL_PASSWORD),
    textSecret("AWS secret key", AWS_SECRET),
    textSecret("Azure account key", azuriteKey()),
    textSecret("wrong Azure account key", WRONG_AZURE_KEY),
    textSecret("SAS signature", sigOf(sas)),
    textSecret("wrong SAS signature", sigOf(wrongSas)),
    keySecret("encryption key k1", K1),
    keySecret("decryption key k0", K0),
    keySecret("wrong decryption key", WRONG_KEY),
    textSecret("invalid encryption key", INVALID_KEY),
  ];
}

/** The state of one run of the test: where things are written and what the runs printed. */
interface Scene {
  topic: string;
  root: string;
  env: Record<string, string>;
  outputs: Array<{ name: string; result: CliResult }>;
}

const kafka = () => ({
  BOOTSTRAP_SERVERS: requireEnv("KB_TEST_SASL_BOOTSTRAP"),
  KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
  KAFKA_SASL_USERNAME: requireEnv("KB_TEST_SCRAM512_USER"),
  KAFKA_SASL_PASSWORD: "${KB_SASL_PASSWORD}",
  LOG_LEVEL: 10,
});
const encrypt = { ENCRYPTION_KEY: "${KB_K1}", ENCRYPTION_KEY_ID: "k1" };
const decrypt = { DECRYPTION_KEYS: { k1: "${KB_K1}", k0: "${KB_K0}" } };

/** Runs a script with the scene's secrets in its environment, checking its exit code. */
async function run(
  scene: Scene,
  name: string,
  script: "backup.ts" | "restore.ts",
  job: Record<string, unknown>,
  expected: number,
  options: { args?: string[]; env?: Record<string, string>; message?: RegExp } = {},
): Promise<CliResult> {
  const withMetrics = { ...job, METRICS_FILE: `${scene.root}/metrics/${name}.prom` };
  const path = await writeJob(withMetrics, `${name}.json`);
  const args = [...(options.args ?? []), path];
  const result = await runScript(script, args, { ...scene.env, ...options.env });
  expectExit(result, expected);
  // A failure on purpose must be the one intended, not some other.
  if (options.message) assert.match(result.stdout + logMessages(result.stderr), options.message);
  scene.outputs.push({ name, result });
  return result;
}

/** A restore of the scene's topic from `dir` into a new topic, checked to hold every record. */
async function restoreChecked(
  scene: Scene,
  name: string,
  dir: string,
  storage: Record<string, unknown>,
  env?: Record<string, string>,
) {
  const target = randomName("secrets-target");
  const job = restoreJob(scene.topic, target, `${scene.root}/${dir}`, {
    ...kafka(),
    ...decrypt,
    ...storage,
    CREATE_TOPIC: true,
  });
  await run(scene, name, "restore.ts", job, 0, { env });
  assert.equal((await readTopicWithKcat(kafkaBootstrap(), target)).length, RECORDS);
}

// A group of its own per archive: a once backup ends when its group has reached the end
// offsets, so a group that already backed the topic up elsewhere would store nothing new.
const backup = (scene: Scene, dir: string, extra: Record<string, unknown> = {}) =>
  backupJob([scene.topic], `${scene.root}/${dir}`, {
    ...kafka(),
    ...encrypt,
    GROUP_ID: `${scene.topic}-${dir}`,
    ...extra,
  });

const restore = (scene: Scene, dir: string, extra: Record<string, unknown> = {}) =>
  restoreJob(scene.topic, randomName("secrets-never"), `${scene.root}/${dir}`, {
    ...kafka(),
    ...decrypt,
    ...extra,
  });

/** Where the cloud archives are, and the Azure credentials of each kind. */
interface Cloud {
  s3: Record<string, unknown>;
  azure: Record<string, unknown>;
  azureKeyEnv: Record<string, string>;
  sasEnv: Record<string, string>;
  wrongSasEnv: Record<string, string>;
}

async function succeed(scene: Scene, cloud: Cloud) {
  await run(scene, "local-backup", "backup.ts", backup(scene, "local"), 0);
  await restoreChecked(scene, "local-restore", "local", {});
  await run(scene, "local-verify", "restore.ts", restore(scene, "local"), 0, {
    args: ["--verify", "--json"],
  });
  await run(scene, "s3-backup", "backup.ts", backup(scene, "s3-staging", cloud.s3), 0);
  await restoreChecked(scene, "s3-restore", "s3-restore-staging", cloud.s3);
  const azure = backup(scene, "azure-staging", cloud.azure);
  await run(scene, "azure-backup", "backup.ts", azure, 0, { env: cloud.azureKeyEnv });
  await restoreChecked(scene, "azure-sas-restore", "azure-restore", cloud.azure, cloud.sasEnv);
}

async function fail(scene: Scene, cloud: Cloud, closedPort: number) {
  await run(scene, "wrong-password", "backup.ts", backup(scene, "local"), 3, {
    env: { KB_SASL_PASSWORD: WRONG_PASSWORD },
    message: /Cannot connect to Kafka.*SCRAM/,
  });
  const wrongKey = restore(scene, "local", { DECRYPTION_KEYS: { k1: "${KB_WRONG}" } });
  await run(scene, "wrong-key", "restore.ts", wrongKey, 5, { message: /k1/ });
  const unreachable = { ...cloud.s3, S3_ENDPOINT: `http://127.0.0.1:${closedPort}` };
  await run(scene, "s3-unreachable", "backup.ts", backup(scene, "s3-down", unreachable), 4, {
    message: new RegExp(`127\\.0\\.0\\.1:${closedPort}`),
  });
  await run(scene, "azure-wrong-key", "backup.ts", backup(scene, "azure-bad", cloud.azure), 4, {
    env: { ...cloud.azureKeyEnv, AZURE_STORAGE_KEY: WRONG_AZURE_KEY },
    message: /credentials/i,
  });
  const badSas = restore(scene, "azure-bad-sas", cloud.azure);
  await run(scene, "azure-wrong-sas", "restore.ts", badSas, 4, {
    env: cloud.wrongSasEnv,
    message: /credentials/i,
  });
  await run(scene, "invalid-key", "backup.ts", backup(scene, "local"), 2, {
    env: { KB_K1: INVALID_KEY },
    message: /ENCRYPTION_KEY/,
  });
  const literal = backup(scene, "local", { KAFKA_SASL_PASSWORD: LITERAL_PASSWORD });
  await run(scene, "literal-password", "backup.ts", literal, 2, {
    message: /KAFKA_SASL_PASSWORD.*literal password is not allowed/,
  });
}

const RECORDS = 20;

async function setUp(): Promise<
  { scene: Scene; cloud: Cloud; s3: S3Client; azure: BlobServiceClient }
> {
  const topic = randomName("secrets");
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKafkajs(
    kafkaBootstrap(),
    topic,
    Array.from({ length: RECORDS }, (_, i) => ({
      partition: 0,
      key: bytes(`k${i}`),
      value: bytes(`v${i}`),
      headers: [],
    })),
  );
  const root = await Deno.makeTempDir({ prefix: "kb-secrets-" });
  for (const dir of ["metrics", "tmp"]) await Deno.mkdir(`${root}/${dir}`);
  const bucket = randomName("secrets");
  const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: "us-east-1" });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const container = randomName("secrets");
  const azure = BlobServiceClient.fromConnectionString(azureConnectionString());
  await azure.getContainerClient(container).create();
  const scene: Scene = {
    topic,
    root,
    outputs: [],
    env: {
      KB_SASL_PASSWORD: requireEnv("KB_TEST_SCRAM512_PASSWORD"),
      KB_K1: Buffer.from(K1).toString("base64"),
      KB_K0: Buffer.from(K0).toString("hex"),
      KB_WRONG: Buffer.from(WRONG_KEY).toString("base64"),
      AWS_ACCESS_KEY_ID: "AKIAKBSECRETSTEST",
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      TMPDIR: `${root}/tmp`,
    },
  };
  const azureAt = {
    FILESYSTEM_TYPE: "AZURE",
    CONTAINER_NAME: container,
    AZURE_ACCOUNT_URL: azuriteUrl(),
  };
  const cloud: Cloud = {
    s3: {
      FILESYSTEM_TYPE: "S3",
      BUCKET_NAME: bucket,
      S3_ENDPOINT: s3Endpoint(),
      S3_REGION: "us-east-1",
    },
    azure: azureAt,
    // An empty connection string counts as unset: one inherited from elsewhere must not win.
    azureKeyEnv: {
      AZURE_STORAGE_CONNECTION_STRING: "",
      AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT,
      AZURE_STORAGE_KEY: azuriteKey(),
    },
    sasEnv: {
      AZURE_STORAGE_CONNECTION_STRING: "",
      AZURE_STORAGE_SAS_TOKEN: sasToken(container, azuriteKey()),
    },
    wrongSasEnv: {
      AZURE_STORAGE_CONNECTION_STRING: "",
      AZURE_STORAGE_SAS_TOKEN: sasToken(container, WRONG_AZURE_KEY),
    },
  };
  return { scene, cloud, s3, azure };
}

/** A TCP port on 127.0.0.1 that nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("no secret appears in output, archive, metrics or any file, after runs that succeed and fail", async () => {
  const { scene, cloud, s3, azure } = await setUp();
  await succeed(scene, cloud);
  await fail(scene, cloud, closedPort());
  const secrets = allSecrets(
    cloud.sasEnv.AZURE_STORAGE_SAS_TOKEN,
    cloud.wrongSasEnv.AZURE_STORAGE_SAS_TOKEN,
  );
  // The search itself finds a secret in any of its forms.
  const k1Hex = `x${Buffer.from(K1).toString("hex")}x`;
  assert.deepEqual(leaksIn("self-check", k1Hex, secrets), ["self-check: encryption key k1"]);
  const leaks: string[] = [];
  for (const { name, result } of scene.outputs) {
    leaks.push(...leaksIn(`${name} stdout`, result.stdout, secrets));
    leaks.push(...leaksIn(`${name} stderr`, result.stderr, secrets));
  }
  const seen: string[] = [];
  leaks.push(...await leaksInFiles(scene.root, secrets, seen));
  const objects = [
    ...await s3Objects(s3, cloud.s3.BUCKET_NAME as string),
    ...await azureBlobs(azure, cloud.azure.CONTAINER_NAME as string),
  ];
  for (const [name, data] of objects) leaks.push(...leaksIn(`object ${name}`, data, secrets));
  s3.destroy();
  assert.deepEqual(leaks, []);
  // The search looked at something: archives in all three places, metrics of failed runs too.
  assert.ok(seen.some((path) => path.endsWith(".chunk")), "no local chunk");
  assert.equal(seen.filter((path) => path.endsWith(".prom")).length, 11);
  assert.ok(objects.some(([name]) => name.endsWith(".chunk")), "no chunk in the cloud");
  const metrics = await Deno.readTextFile(`${scene.root}/metrics/wrong-password.prom`);
  assert.match(metrics, /kafka_backup_errors_total\{[^}]*exit_code="3"/);
});
