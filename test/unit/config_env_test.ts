import assert from "node:assert/strict";
import { loadBackupJob } from "../../lib/config/backup_job.ts";
import { loadRestoreJob } from "../../lib/config/restore_job.ts";
import { failure, withEnv, writeJob } from "./config_helpers_test.ts";

const minimal = {
  BOOTSTRAP_SERVERS: "localhost:9092",
  TOPIC_NAMES: ["orders"],
  GROUP_ID: "backup-group",
  FILESYSTEM_BACKUP_DIR: "/backups",
};

/** A variable name no other test (or the machine) uses. */
const unique = (label: string) =>
  `KB_CONFIG_TEST_${label}_${crypto.randomUUID().slice(0, 8).toUpperCase()}`;

Deno.test("${VAR} expands in strings, inside arrays and with surrounding text", async () => {
  const [host, topic, group] = [unique("HOST"), unique("TOPIC"), unique("GROUP")];
  const path = await writeJob({
    ...minimal,
    BOOTSTRAP_SERVERS: `\${${host}}:9092`,
    TOPIC_NAMES: ["orders", `\${${topic}}`],
    GROUP_ID: `backup-\${${group}}-v1`,
  });
  const job = await withEnv(
    { [host]: "kafka.internal", [topic]: "payments", [group]: "eu" },
    () => loadBackupJob(path),
  );
  assert.deepEqual(job.kafka.brokers, ["kafka.internal:9092"]);
  assert.deepEqual(job.topicNames, ["orders", "payments"]);
  assert.equal(job.groupId, "backup-eu-v1");
});

Deno.test("numbers and booleans may come from ${VAR}, which is always a string", async () => {
  const [threads, create] = [unique("THREADS"), unique("CREATE")];
  const path = await writeJob({
    BOOTSTRAP_SERVERS: "k:1",
    BACKUP_TOPIC_NAME: "orders",
    FILESYSTEM_BACKUP_DIR: "/b",
    NUMBER_OF_KAFKA_THREADS: `\${${threads}}`,
    CREATE_TOPIC: `\${${create}}`,
  });
  const job = await withEnv({ [threads]: "4", [create]: "TRUE" }, () => loadRestoreJob(path));
  assert.equal(job.threads, 4);
  assert.equal(job.createTopic, true);
});

Deno.test("$${ writes a literal ${ and is not expanded", async () => {
  const path = await writeJob({ ...minimal, TOPIC_INCLUDE_REGEX: "orders$${NOT_A_VAR}" });
  const job = await loadBackupJob(path);
  assert.equal(job.topicIncludeRegex?.source, "^(?:orders${NOT_A_VAR})$");
});

Deno.test("an unset variable is an error naming the variable and the JSON path, never an empty string", async () => {
  const [a, b] = [unique("UNSET_A"), unique("UNSET_B")];
  const path = await writeJob({
    ...minimal,
    GROUP_ID: `\${${a}}`,
    TOPIC_NAMES: ["x", `pre-\${${b}}`],
  });
  const { lines } = await failure(path, () => loadBackupJob(path));
  assert.deepEqual(lines, [
    `$.TOPIC_NAMES[1]: environment variable ${b} is not set`,
    `$.GROUP_ID: environment variable ${a} is not set`,
  ]);
});

Deno.test("a malformed reference is an error that explains the escape", async () => {
  const path = await writeJob({
    ...minimal,
    GROUP_ID: "a${B",
    FILESYSTEM_BACKUP_DIR: "/x/${1BAD}",
  });
  const { lines } = await failure(path, () => loadBackupJob(path));
  assert.deepEqual(lines, [
    '$.GROUP_ID: unterminated "${" (write "$${" for a literal "${")',
    '$.FILESYSTEM_BACKUP_DIR: invalid variable name "1BAD" in "${...}" (letters, digits and _)',
  ]);
});

Deno.test("a literal SASL password is refused without repeating it", async () => {
  const path = await writeJob({
    ...minimal,
    KAFKA_SASL_MECHANISM: "PLAIN",
    KAFKA_SASL_USERNAME: "backup",
    KAFKA_SASL_PASSWORD: "hunter2-secret",
  });
  const { error, lines } = await failure(path, () => loadBackupJob(path));
  assert.deepEqual(lines, [
    "$.KAFKA_SASL_PASSWORD: a literal password is not allowed in the job file: put it in an environment " +
    'variable and write "${VARIABLE_NAME}" here',
  ]);
  assert.ok(!error.message.includes("hunter2"));
});

Deno.test("a SASL password given as ${VAR} is expanded and never appears in error messages", async () => {
  const pw = unique("PW");
  const secret = "s3cr3t-value-123";
  const good = await writeJob({
    ...minimal,
    KAFKA_SASL_MECHANISM: "scram-sha-512",
    KAFKA_SASL_USERNAME: "backup",
    KAFKA_SASL_PASSWORD: `\${${pw}}`,
  });
  const job = await withEnv({ [pw]: secret }, () => loadBackupJob(good));
  assert.deepEqual(job.kafka.sasl, {
    mechanism: "SCRAM-SHA-512",
    username: "backup",
    password: secret,
  });

  // The same secret next to other mistakes: every message is about something else.
  const bad = await writeJob({
    ...minimal,
    KAFKA_SASL_MECHANISM: "GSSAPI",
    KAFKA_SASL_PASSWORD: `\${${pw}}`,
    LOG_LEVEL: "x",
  });
  const { error } = await withEnv({ [pw]: secret }, () => failure(bad, () => loadBackupJob(bad)));
  assert.equal(error.issues.length, 3);
  assert.ok(!error.message.includes(secret), error.message);
});

Deno.test("a SASL mechanism needs a username and a password, and an empty password variable is refused", async () => {
  const pw = unique("EMPTY_PW");
  const path = await writeJob({
    ...minimal,
    KAFKA_SASL_MECHANISM: "PLAIN",
    KAFKA_SASL_PASSWORD: `\${${pw}}`,
  });
  const { lines } = await withEnv({ [pw]: "" }, () => failure(path, () => loadBackupJob(path)));
  assert.deepEqual(lines, [
    "$.KAFKA_SASL_PASSWORD: the environment variable it names is empty",
    "$.KAFKA_SASL_USERNAME: missing required key (KAFKA_SASL_MECHANISM is set)",
  ]);
});

Deno.test("SASL credentials without a mechanism are reported instead of ignored", async () => {
  const path = await writeJob({ ...minimal, KAFKA_SASL_USERNAME: "u" });
  const { lines } = await failure(path, () => loadBackupJob(path));
  assert.deepEqual(lines, ["$.KAFKA_SASL_USERNAME: only used when KAFKA_SASL_MECHANISM is set"]);
});
