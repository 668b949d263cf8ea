/**
 * ENCRYPTION_KEY, ENCRYPTION_KEY_ID (backup) and DECRYPTION_KEYS (restore): every form a
 * key may take, every bad value refused at its JSON path (exit 2), and no message, job
 * fingerprint or serialised job showing any part of a key.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { parseBackupJob } from "../../lib/config/backup_job.ts";
import { parseRestoreJob } from "../../lib/config/restore_job.ts";
import { JobFileError } from "../../lib/config/issues.ts";
import { jobFingerprint } from "../../lib/config/fingerprint.ts";

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
const B64 = Buffer.from(KEY).toString("base64");
const B64URL = Buffer.from(KEY).toString("base64url");
const HEX = Buffer.from(KEY).toString("hex");
const OLD = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

const ENV: Record<string, string> = {
  KEY_B64: B64,
  KEY_B64URL: B64URL,
  KEY_HEX: HEX.toUpperCase(),
  KEY_NEWLINE: `${B64}\n`,
  OLD_KEY: Buffer.from(OLD).toString("hex"),
  SHORT_B64: Buffer.from(KEY.subarray(0, 16)).toString("base64"),
  SHORT_HEX: HEX.slice(0, 62),
  LONG_B64: Buffer.from(new Uint8Array(48).fill(7)).toString("base64"),
  GARBAGE: "this is not a key!",
  EMPTY: "",
  SPACES: "   ",
};
/** Every secret the environment holds, for "never in a message". */
const SECRETS = [B64, B64URL, HEX, HEX.toUpperCase(), ENV.OLD_KEY, ENV.SHORT_B64, ENV.SHORT_HEX];

const backup = {
  BOOTSTRAP_SERVERS: "kafka-1:9092",
  TOPIC_NAMES: ["orders"],
  GROUP_ID: "backup",
  FILESYSTEM_BACKUP_DIR: "/archive",
};
const restore = {
  BOOTSTRAP_SERVERS: "kafka-1:9092",
  BACKUP_TOPIC_NAME: "orders",
  FILESYSTEM_BACKUP_DIR: "/archive",
};

function backupProblems(extra: Record<string, unknown>): string[] {
  return problems(() => parseBackupJob("b.json", { ...backup, ...extra }, {}, (n) => ENV[n]));
}
function restoreProblems(extra: Record<string, unknown>): string[] {
  return problems(() => parseRestoreJob("r.json", { ...restore, ...extra }, {}, (n) => ENV[n]));
}

/** The problems of a refused job (exit 2), after checking that none shows a secret. */
function problems(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof JobFileError, String(error));
    assert.equal(error.exitCode, 2);
    for (const secret of SECRETS) {
      assert.ok(!error.message.includes(secret), `a key in the message: ${error.message}`);
      assert.ok(!error.message.includes(secret.slice(0, 12)), `part of a key: ${error.message}`);
    }
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

Deno.test("ENCRYPTION_KEY takes 32 bytes as base64, URL-safe base64 or hex, spaces around ignored", () => {
  for (const variable of ["KEY_B64", "KEY_B64URL", "KEY_HEX", "KEY_NEWLINE"]) {
    const job = parseBackupJob(
      "b.json",
      {
        ...backup,
        ENCRYPTION_KEY: `\${${variable}}`,
        ENCRYPTION_KEY_ID: "2025-06",
      },
      {},
      (n) => ENV[n],
    );
    assert.deepEqual(job.encryption, { id: "2025-06", key: KEY }, variable);
  }
  assert.equal(parseBackupJob("b.json", backup, {}, (n) => ENV[n]).encryption, undefined);
});

Deno.test("a literal or partly literal ENCRYPTION_KEY is refused without being repeated", () => {
  for (const written of [B64, HEX, `x\${KEY_B64}`, `\${KEY_B64}\${KEY_HEX}`, 42, ["${KEY_B64}"]]) {
    assert.deepEqual(backupProblems({ ENCRYPTION_KEY: written, ENCRYPTION_KEY_ID: "k" }), [
      '$.ENCRYPTION_KEY: a literal key is not allowed in the job file: put it in an environment variable and write "${VARIABLE_NAME}" here',
    ]);
  }
});

Deno.test("a key of the wrong length or encoding is refused naming the key and its length, never its value", () => {
  const cases: Array<[string, RegExp]> = [
    ["SHORT_B64", /holds base64 of 16 bytes: a key must be 32 bytes/],
    ["LONG_B64", /holds base64 of 48 bytes/],
    ["SHORT_HEX", /holds 62 hex digits \(31 bytes\)/],
    ["GARBAGE", /holds 18 characters that are neither hex nor base64/],
    ["EMPTY", /is empty/],
    ["SPACES", /holds only spaces/],
    ["UNSET", /environment variable UNSET is not set/],
  ];
  for (const [variable, pattern] of cases) {
    const found = backupProblems({ ENCRYPTION_KEY: `\${${variable}}`, ENCRYPTION_KEY_ID: "k" });
    assert.equal(found.length, 1, `${variable}: ${found}`);
    assert.ok(found[0].startsWith("$.ENCRYPTION_KEY: "), found[0]);
    assert.match(found[0], pattern);
  }
});

Deno.test("ENCRYPTION_KEY and ENCRYPTION_KEY_ID go together, and a key id is a short plain name", () => {
  assert.deepEqual(backupProblems({ ENCRYPTION_KEY: "${KEY_B64}" }), [
    "$.ENCRYPTION_KEY_ID: missing required key (with ENCRYPTION_KEY)",
  ]);
  assert.deepEqual(backupProblems({ ENCRYPTION_KEY_ID: "k1" }), [
    "$.ENCRYPTION_KEY: missing required key (with ENCRYPTION_KEY_ID)",
  ]);
  for (const id of ["", "has space", "-leading", "a/b", "x".repeat(65), "ключ", 2025, null]) {
    const found = backupProblems({ ENCRYPTION_KEY: "${KEY_B64}", ENCRYPTION_KEY_ID: id });
    assert.equal(found.length, 1, `${JSON.stringify(id)}: ${found}`);
    assert.match(found[0], /^\$\.ENCRYPTION_KEY_ID: expected a key id/);
  }
  for (const id of ["k", "2025-06", "prod.v2_b", "A".repeat(64)]) {
    assert.deepEqual(backupProblems({ ENCRYPTION_KEY: "${KEY_B64}", ENCRYPTION_KEY_ID: id }), []);
  }
});

Deno.test("DECRYPTION_KEYS takes several keys by id, each a ${VAR}", () => {
  const job = parseRestoreJob(
    "r.json",
    {
      ...restore,
      DECRYPTION_KEYS: { "2025-01": "${OLD_KEY}", "2025-06": "${KEY_B64}" },
    },
    {},
    (n) => ENV[n],
  );
  assert.deepEqual(job.decryptionKeys, { "2025-01": OLD, "2025-06": KEY });
  assert.equal(parseRestoreJob("r.json", restore, {}, (n) => ENV[n]).decryptionKeys, undefined);
});

Deno.test("bad DECRYPTION_KEYS are refused at the path of each bad member", () => {
  assert.deepEqual(restoreProblems({ DECRYPTION_KEYS: { k1: B64, k2: "${KEY_B64}", k3: HEX } }), [
    '$.DECRYPTION_KEYS.k1: a literal key is not allowed in the job file: put it in an environment variable and write "${VARIABLE_NAME}" here',
    '$.DECRYPTION_KEYS.k3: a literal key is not allowed in the job file: put it in an environment variable and write "${VARIABLE_NAME}" here',
  ]);
  for (const value of ["${KEY_B64}", ["${KEY_B64}"], null, 5]) {
    assert.deepEqual(restoreProblems({ DECRYPTION_KEYS: value }), [
      '$.DECRYPTION_KEYS: expected an object {"<key id>": "${VARIABLE_NAME}", ...}',
    ]);
  }
  assert.deepEqual(restoreProblems({ DECRYPTION_KEYS: {} }), [
    "$.DECRYPTION_KEYS: expected at least one key id (leave DECRYPTION_KEYS out for none)",
  ]);
  const found = restoreProblems({
    DECRYPTION_KEYS: { "bad id": "${KEY_B64}", short: "${SHORT_B64}", ok: "${KEY_HEX}" },
  });
  assert.equal(found.length, 2, String(found));
  assert.match(found[0], /^\$\.DECRYPTION_KEYS\["bad id"\]: expected a key id/);
  assert.match(found[1], /^\$\.DECRYPTION_KEYS\.short: .*base64 of 16 bytes/);
  assert.deepEqual(restoreProblems({ DECRYPTION_KEYS: { k: "${UNSET}" } }), [
    "$.DECRYPTION_KEYS.k: environment variable UNSET is not set",
  ]);
});

Deno.test("the keys of one kind of job are refused in the other, by name", () => {
  assert.deepEqual(restoreProblems({ ENCRYPTION_KEY: "${KEY_B64}" }), [
    "$.ENCRYPTION_KEY: unknown key in a restore job (ENCRYPTION_KEY is only used in backup job files)",
  ]);
  assert.deepEqual(backupProblems({ DECRYPTION_KEYS: { k: "${KEY_B64}" } }), [
    "$.DECRYPTION_KEYS: unknown key in a backup job (DECRYPTION_KEYS is only used in restore job files)",
  ]);
});

Deno.test("decryption keys are no part of a restore's identity: adding or rotating keys keeps its checkpoints", () => {
  const env = (n: string) => ENV[n];
  const without = parseRestoreJob("r.json", restore, {}, env);
  const withKeys = parseRestoreJob(
    "r.json",
    {
      ...restore,
      DECRYPTION_KEYS: { "2025-06": "${KEY_B64}" },
    },
    {},
    env,
  );
  // Adding or rotating keys keeps the checkpoints of a restore in progress.
  assert.equal(jobFingerprint(withKeys), jobFingerprint(without));
});
