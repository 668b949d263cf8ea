/**
 * The committed JSON Schemas of job files (schemas/), checked with a real validator (ajv):
 * up to date with the key table, valid for every example job, no stricter than the parsers,
 * and refusing the usual mistakes.
 */
import assert from "node:assert/strict";
import { Ajv, type ValidateFunction } from "ajv";
import type { JobKind } from "../../lib/config/key_doc.ts";
import { keysOf } from "../../lib/config/key_docs.ts";
import { schemaFile, schemaText } from "../../lib/config/schema.ts";
import { type Job, jobFor, KINDS, MINIMAL, parse, withStorage } from "../helpers/job_samples.ts";

const repo = new URL("../../", import.meta.url);
// strictTypes: a keyword that does not fit its type is a mistake in the generator.
const ajv = new Ajv({ allErrors: true, strictTypes: true });
const validators = Object.fromEntries(
  KINDS.map((kind) => [
    kind,
    ajv.compile(JSON.parse(Deno.readTextFileSync(new URL(schemaFile(kind), repo)))),
  ]),
) as Record<JobKind, ValidateFunction>;

/** The JSON pointers of what the schema of `kind` refuses in `job` ("" for the whole). */
function schemaProblems(kind: JobKind, job: Job): string[] {
  const validate = validators[kind];
  if (validate(job)) return [];
  return validate.errors!.map((e) =>
    e.keyword === "additionalProperties"
      ? `/${e.params.additionalProperty}`
      : e.keyword === "required"
      ? `/${e.params.missingProperty}`
      : e.instancePath
  );
}

Deno.test("the committed schemas are what the key table generates", () => {
  for (const kind of KINDS) {
    const committed = Deno.readTextFileSync(new URL(schemaFile(kind), repo));
    assert.ok(
      committed === schemaText(kind),
      `${schemaFile(kind)} is out of date with lib/config: run \`deno task schemas\``,
    );
  }
});

Deno.test("every example job file in configs/ is valid against its kind's schema", () => {
  const names = [...Deno.readDirSync(new URL("configs/", repo))].map((e) => e.name)
    .filter((name) => name.endsWith(".json"));
  assert.ok(names.length >= 6, `${names}`);
  for (const name of names) {
    const kind: JobKind = name.startsWith("backup") ? "backup" : "restore";
    const job = JSON.parse(Deno.readTextFileSync(new URL(`configs/${name}`, repo)));
    assert.deepEqual(
      schemaProblems(kind, job),
      [],
      `${name}: ${ajv.errorsText(validators[kind].errors)}`,
    );
  }
});

// Values of every type and many shapes, tried for every key.
const CANDIDATES: unknown[] = [
  true,
  false,
  "true",
  "FALSE",
  0,
  1,
  2,
  19,
  20,
  1024,
  1048576,
  134217728,
  "5",
  " 20 ",
  -1,
  0.5,
  "x",
  "",
  " ",
  "zstd",
  "ZSTD",
  "none",
  "Once",
  "follow",
  "KEY",
  "latest",
  "info",
  "warn",
  "linux",
  "PLAIN",
  "scram-sha-512",
  "STANDARD_IA",
  "*",
  [],
  ["orders"],
  [""],
  [0, 2],
  ["kafka-1:9092"],
  {},
  { orders: "orders-copy" },
  { orders: { "retention.ms": "1", "cleanup.policy": null } },
  null,
  "kafka-1:9092",
  "kafka-1:9092, kafka-2:9092",
  "http://localhost:9000",
  "/var/lib/node-exporter/kafka-backup.prom",
  "localhost:9000",
  "https://acct.blob.core.windows.net",
  "2024-05-01",
  "2024-05-01T12:00:00Z",
  "eu-west-1",
  "20261202T054539123Z-1a2b3c4d",
  "archive-bucket",
  "prod/cluster",
  "orders.*",
  "/tls/ca.pem",
  "${KAFKA_PASSWORD}",
  "${NUMBER}",
  "${ARCHIVE_KEY}",
  { "2025-06": "${ARCHIVE_KEY}" },
  ["${KAFKA_PASSWORD}"],
  "$${x}",
];

Deno.test("the schemas accept every value the parsers accept, for every key", () => {
  for (const kind of KINDS) {
    for (const key of keysOf(kind)) {
      let accepted = 0;
      for (const value of CANDIDATES) {
        const job = { ...jobFor(kind, key), [key]: value };
        if (parse(kind, job).problems.length > 0) continue;
        accepted++;
        assert.deepEqual(schemaProblems(kind, job), [], `${kind} ${key}: ${JSON.stringify(value)}`);
      }
      assert.ok(accepted > 0, `no candidate value is a valid ${kind} ${key}: add one`);
    }
  }
});

Deno.test("a job file may name its schema with $schema", () => {
  for (const kind of KINDS) {
    const job = { $schema: `../${schemaFile(kind)}`, ...MINIMAL[kind] };
    assert.deepEqual(schemaProblems(kind, job), []);
    assert.deepEqual(parse(kind, job), parse(kind, MINIMAL[kind]));
  }
});

/** Mistakes both the parsers and the schemas refuse, and where the schema says so. */
const MISTAKES: Array<{ what: string; kind: JobKind; job: Job; at: string }> = [
  {
    what: "an unknown key",
    kind: "backup",
    job: { ...MINIMAL.backup, TOPIC_NAME: ["orders"] },
    at: "/TOPIC_NAME",
  },
  {
    what: "a key of the other kind",
    kind: "restore",
    job: { ...MINIMAL.restore, GROUP_ID: "backup" },
    at: "/GROUP_ID",
  },
  {
    what: "a literal password",
    kind: "backup",
    job: {
      ...MINIMAL.backup,
      KAFKA_SASL_MECHANISM: "PLAIN",
      KAFKA_SASL_USERNAME: "backup",
      KAFKA_SASL_PASSWORD: "hunter2",
    },
    at: "/KAFKA_SASL_PASSWORD",
  },
  {
    what: "a password with more than a reference",
    kind: "restore",
    job: {
      ...MINIMAL.restore,
      KAFKA_SASL_MECHANISM: "PLAIN",
      KAFKA_SASL_USERNAME: "backup",
      KAFKA_SASL_PASSWORD: "x${KAFKA_PASSWORD}",
    },
    at: "/KAFKA_SASL_PASSWORD",
  },
  {
    what: "a bad choice",
    kind: "backup",
    job: { ...MINIMAL.backup, COMPRESSION: "lz4" },
    at: "/COMPRESSION",
  },
  {
    what: "the Python tool's placeholder strategy",
    kind: "restore",
    job: { ...MINIMAL.restore, RESTORE_PARTITION_STRATEGY: "same/random" },
    at: "/RESTORE_PARTITION_STRATEGY",
  },
  {
    what: "a backup run mode in a restore",
    kind: "restore",
    job: { ...MINIMAL.restore, RUN_MODE: "continuous" },
    at: "/RUN_MODE",
  },
  {
    what: "words for a number",
    kind: "backup",
    job: { ...MINIMAL.backup, NUMBER_OF_KAFKA_THREADS: "two" },
    at: "/NUMBER_OF_KAFKA_THREADS",
  },
  {
    what: "a number below the minimum",
    kind: "restore",
    job: { ...MINIMAL.restore, BUFFER_MAX_BYTES: 1024 },
    at: "/BUFFER_MAX_BYTES",
  },
  {
    what: "a missing required key",
    kind: "backup",
    job: { ...MINIMAL.backup, GROUP_ID: undefined },
    at: "/GROUP_ID",
  },
  {
    what: "no topic to back up",
    kind: "backup",
    job: { ...MINIMAL.backup, TOPIC_NAMES: [] },
    at: "",
  },
  {
    what: "a bucket with local storage",
    kind: "backup",
    job: { ...MINIMAL.backup, BUCKET_NAME: "archive-bucket" },
    at: "/BUCKET_NAME",
  },
  {
    what: "S3 without a bucket",
    kind: "restore",
    job: { ...MINIMAL.restore, FILESYSTEM_TYPE: "s3" },
    at: "/BUCKET_NAME",
  },
  {
    what: "an Azure key with S3",
    kind: "backup",
    job: { ...withStorage(MINIMAL.backup, "S3"), CONTAINER_NAME: "archive-container" },
    at: "/CONTAINER_NAME",
  },
  {
    what: "a staging limit with local storage",
    kind: "backup",
    job: { ...MINIMAL.backup, STAGING_MAX_BYTES: 1073741824 },
    at: "/STAGING_MAX_BYTES",
  },
  {
    what: "a SASL user without a mechanism",
    kind: "backup",
    job: { ...MINIMAL.backup, KAFKA_SASL_USERNAME: "backup" },
    at: "",
  },
  {
    what: "TOPIC_MAP with BACKUP_TOPIC_NAME",
    kind: "restore",
    job: { ...MINIMAL.restore, TOPIC_MAP: { orders: "orders-copy" } },
    at: "",
  },
  {
    what: "a cloud restore without its source topic",
    kind: "restore",
    job: {
      ...withStorage(MINIMAL.restore, "AZURE"),
      BACKUP_TOPIC_NAME: undefined,
      RESTORE_TOPIC_NAME: "orders",
    },
    at: "",
  },
  {
    what: "a bad topic name in a list",
    kind: "backup",
    job: { ...MINIMAL.backup, TOPIC_NAMES: ["orders", "a topic"] },
    at: "/TOPIC_NAMES/1",
  },
];

Deno.test("the schemas refuse the usual mistakes, at the key the parsers name", () => {
  for (const { what, kind, job: withUndefined, at } of MISTAKES) {
    const job = JSON.parse(JSON.stringify(withUndefined)); // drops the keys set to undefined
    assert.notDeepEqual(parse(kind, job).problems, [], `${what}: the parser accepts it`);
    const problems = schemaProblems(kind, job);
    assert.ok(problems.includes(at), `${what}: expected a problem at "${at}", got ${problems}`);
  }
});
