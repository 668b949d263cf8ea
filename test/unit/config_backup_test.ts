import assert from "node:assert/strict";
import { type BackupJob, loadBackupJob } from "../../lib/config/backup_job.ts";
import { failure, writeJob } from "./config_helpers_test.ts";

async function loadFailure(path: string, overrides = {}) {
  return await failure(path, () => loadBackupJob(path, overrides));
}

/** A valid minimal job to vary. */
const minimal = {
  BOOTSTRAP_SERVERS: "localhost:9092",
  TOPIC_NAMES: ["orders"],
  GROUP_ID: "backup-group",
  FILESYSTEM_BACKUP_DIR: "/backups",
};

// The job files of the README of 116davinder's Python kafka-backup, verbatim.
const PYTHON_TOOL_LOCAL_BACKUP = `{
  "BOOTSTRAP_SERVERS": "kafka01:9092,kafka02:9092,kafka03:9092",
  "TOPIC_NAMES": ["davinder.test"],
  "GROUP_ID": "Kafka-BackUp-Consumer-Group",
  "FILESYSTEM_TYPE": "LINUX",
  "FILESYSTEM_BACKUP_DIR": "/tmp/",
  "NUMBER_OF_MESSAGE_PER_BACKUP_FILE": 1000,
  "RETRY_UPLOAD_SECONDS": 100,
  "NUMBER_OF_KAFKA_THREADS": 3,
  "LOG_LEVEL": 20
}
`;
const PYTHON_TOOL_S3_BACKUP = PYTHON_TOOL_LOCAL_BACKUP.replace('"LINUX"', '"S3"');

Deno.test("the Python tool's local backup.json loads unchanged with the Python tool's meaning and our defaults", async () => {
  const path = await writeJob(PYTHON_TOOL_LOCAL_BACKUP);
  const job = await loadBackupJob(path);
  const expected: BackupJob = {
    file: path,
    kafka: { brokers: ["kafka01:9092", "kafka02:9092", "kafka03:9092"] },
    storage: { type: "local", root: "/tmp" },
    topicNames: ["davinder.test"],
    groupId: "Kafka-BackUp-Consumer-Group",
    messagesPerChunk: 1000,
    maxChunkBytes: 67108864,
    maxChunkAgeSeconds: 60,
    retryUploadSeconds: 100,
    threads: 3,
    logLevel: 20,
    compression: "zstd",
    runMode: "continuous",
    progressIntervalSeconds: 10,
    stagingMaxBytes: 1073741824,
    uploadConcurrency: 4,
    consumerGroups: "*",
    groupSnapshotIntervalSeconds: 60,
    restorationPointIntervalSeconds: 3600,
    topicRefreshSeconds: 60,
    operations: {},
    retention: { policy: {}, checkSeconds: 300 },
  };
  assert.deepEqual(job, expected);
});

Deno.test("the Python tool's S3 backup.json is accepted except for the bucket name it never gave", async () => {
  const { lines } = await loadFailure(await writeJob(PYTHON_TOOL_S3_BACKUP));
  assert.deepEqual(lines, ['$.BUCKET_NAME: missing required key (FILESYSTEM_TYPE is "S3")']);

  const withBucket = PYTHON_TOOL_S3_BACKUP.replace(
    '"S3",',
    '"S3",\n  "BUCKET_NAME": "davinder-test-kafka-backup",',
  );
  const job = await loadBackupJob(await writeJob(withBucket));
  assert.deepEqual(job.storage, {
    type: "s3",
    bucket: "davinder-test-kafka-backup",
    prefix: "",
    forcePathStyle: false,
    timeoutMs: 60000,
    stagingDir: "/tmp",
  });
  assert.equal("endpoint" in job.storage, false, "no endpoint key means AWS itself");
});

Deno.test("an unknown key is reported with the known key it most likely meant", async () => {
  const path = await writeJob({
    ...minimal,
    TOPIC_NAME: ["x"],
    log_level: 10,
    NUMBER_OF_THREADS: 2,
    FOO: 1,
  });
  const { lines } = await loadFailure(path);
  assert.deepEqual(lines, [
    '$.TOPIC_NAME: unknown key (did you mean "TOPIC_NAMES"?)',
    '$.log_level: unknown key (did you mean "LOG_LEVEL"?)',
    '$.NUMBER_OF_THREADS: unknown key (did you mean "NUMBER_OF_KAFKA_THREADS"?)',
    "$.FOO: unknown key",
  ]);
});

Deno.test("a restore-only key in a backup job is called out as belonging to restore", async () => {
  const { lines } = await loadFailure(await writeJob({ ...minimal, RETRY_SECONDS: 5 }));
  assert.deepEqual(lines, [
    "$.RETRY_SECONDS: unknown key in a backup job (RETRY_SECONDS is only used in restore job files)",
  ]);
});

Deno.test("a wrong type names the JSON path, the expectation and the value", async () => {
  const { error } = await loadFailure(
    await writeJob({ ...minimal, NUMBER_OF_KAFKA_THREADS: "three" }),
  );
  assert.equal(
    error.message,
    `${error.file}: $.NUMBER_OF_KAFKA_THREADS: expected a whole number >= 1, got "three"`,
  );
  const more = await loadFailure(
    await writeJob({ ...minimal, MAX_CHUNK_BYTES: 100, MAX_CHUNK_AGE_SECONDS: 0, GROUP_ID: 7 }),
  );
  assert.deepEqual(more.lines, [
    "$.GROUP_ID: expected a non-empty string, got 7",
    "$.MAX_CHUNK_BYTES: expected a whole number >= 1024, got 100",
    "$.MAX_CHUNK_AGE_SECONDS: expected a number > 0, got 0",
  ]);
});

Deno.test("an enum value outside its choices lists the choices", async () => {
  const { lines } = await loadFailure(
    await writeJob({ ...minimal, COMPRESSION: "lz4", RUN_MODE: "ONCE!" }),
  );
  assert.deepEqual(lines, [
    '$.COMPRESSION: expected one of "zstd", "gzip", "none", got "lz4"',
    '$.RUN_MODE: expected one of "continuous", "once", got "ONCE!" (did you mean "once"?)',
  ]);
});

Deno.test("enum values match ignoring case and come back in canonical spelling", async () => {
  const job = await loadBackupJob(
    await writeJob({ ...minimal, COMPRESSION: "GZIP", RUN_MODE: "Once" }),
  );
  assert.equal(job.compression, "gzip");
  assert.equal(job.runMode, "once");
});

Deno.test("COMPRESSION_LEVEL is checked against the codec's range and refused without a codec", async () => {
  assert.equal((await loadBackupJob(await writeJob(minimal))).compressionLevel, undefined);
  const zstd = await loadBackupJob(await writeJob({ ...minimal, COMPRESSION_LEVEL: "19" }));
  assert.equal(zstd.compressionLevel, 19);
  for (
    const [job, line] of [
      [
        { COMPRESSION: "gzip", COMPRESSION_LEVEL: 10 },
        "$.COMPRESSION_LEVEL: expected a whole number from 1 to 9, got 10",
      ],
      [
        { COMPRESSION_LEVEL: 0 },
        "$.COMPRESSION_LEVEL: expected a whole number from 1 to 19, got 0",
      ],
      [
        { COMPRESSION: "none", COMPRESSION_LEVEL: 3 },
        '$.COMPRESSION_LEVEL: has no meaning with COMPRESSION "none"',
      ],
    ] as const
  ) {
    const { lines } = await loadFailure(await writeJob({ ...minimal, ...job }));
    assert.deepEqual(lines, [line]);
  }
});

Deno.test("a bad topic regex is reported with the compiler's reason", async () => {
  const { lines } = await loadFailure(
    await writeJob({ ...minimal, TOPIC_EXCLUDE_REGEX: "orders-(" }),
  );
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\$\.TOPIC_EXCLUDE_REGEX: invalid regular expression: \/orders-\(\/: /);
});

Deno.test("topic regexes are compiled to match whole topic names", async () => {
  const job = await loadBackupJob(
    await writeJob({
      ...minimal,
      TOPIC_NAMES: [],
      TOPIC_INCLUDE_REGEX: "orders\\..*",
      TOPIC_EXCLUDE_REGEX: ".*-dlq",
    }),
  );
  assert.deepEqual(job.topicNames, []);
  assert.ok(job.topicIncludeRegex?.test("orders.eu"));
  assert.ok(!job.topicIncludeRegex?.test("old-orders.eu"), "anchored at the start");
  assert.ok(job.topicExcludeRegex?.test("orders.eu-dlq"));
  assert.ok(!job.topicExcludeRegex?.test("orders.eu-dlq.v2"), "anchored at the end");
});

Deno.test("an invalid topic name is reported at its array index", async () => {
  const { lines } = await loadFailure(
    await writeJob({ ...minimal, TOPIC_NAMES: ["ok", "bad topic", ".."] }),
  );
  assert.deepEqual(lines, [
    `$.TOPIC_NAMES[1]: invalid topic name "bad topic": may only contain letters, digits, '.', '_' and '-'`,
    '$.TOPIC_NAMES[2]: invalid topic name "..": must not be "." or ".."',
  ]);
});

Deno.test("missing required keys are all reported, including the topic selection", async () => {
  const { lines } = await loadFailure(await writeJob({ LOG_LEVEL: 20 }));
  assert.deepEqual(lines, [
    "$.BOOTSTRAP_SERVERS: missing required key",
    "$.TOPIC_NAMES: no topic to back up: give TOPIC_NAMES or TOPIC_INCLUDE_REGEX",
    "$.GROUP_ID: missing required key",
    "$.FILESYSTEM_BACKUP_DIR: missing required key",
  ]);
});

Deno.test("several problems are reported together, one per line, in file order", async () => {
  const path = await writeJob({
    BOOTSTRAP_SERVERS: "a:1",
    TOPIC_NAMES: ["t"],
    GROUP_ID: "",
    FILESYSTEM_BACKUP_DIR: "/b",
    LOG_LEVEL: "LOUD",
    FILESYSTEM_TYPE: "NFS",
  });
  const { error, lines } = await loadFailure(path);
  assert.equal(error.issues.length, 3);
  assert.deepEqual(lines, [
    '$.GROUP_ID: expected a non-empty string, got ""',
    '$.LOG_LEVEL: expected one of 10, 20, 30, 40, "DEBUG", "INFO", "WARNING", "WARN", "ERROR", got "LOUD"',
    '$.FILESYSTEM_TYPE: expected one of "LINUX", "S3", "AZURE", got "NFS"',
  ]);
});

Deno.test("BOOTSTRAP_SERVERS is split, trimmed and checked entry by entry", async () => {
  const job = await loadBackupJob(
    await writeJob({ ...minimal, BOOTSTRAP_SERVERS: " a:9092 , [::1]:9093 " }),
  );
  assert.deepEqual(job.kafka.brokers, ["a:9092", "[::1]:9093"]);
  const asArray = await loadBackupJob(
    await writeJob({ ...minimal, BOOTSTRAP_SERVERS: ["a:1", "b:2"] }),
  );
  assert.deepEqual(asArray.kafka.brokers, ["a:1", "b:2"]);
  const { lines } = await loadFailure(
    await writeJob({ ...minimal, BOOTSTRAP_SERVERS: "a:1,,b,c:99999," }),
  );
  assert.deepEqual(lines, [
    '$.BOOTSTRAP_SERVERS: entry 2 is empty; entry 3 "b" is not host:port; entry 4 "c:99999" is not host:port; ' +
    "entry 5 is empty",
  ]);
});

Deno.test("LOG_LEVEL takes Python's numbers or level names in any case", async () => {
  const cases: Array<[unknown, number]> = [[10, 10], ["40", 40], ["debug", 10], ["Warn", 30], [
    "WARNING",
    30,
  ]];
  for (const [given, expected] of cases) {
    const job = await loadBackupJob(await writeJob({ ...minimal, LOG_LEVEL: given }));
    assert.equal(job.logLevel, expected, `LOG_LEVEL ${JSON.stringify(given)}`);
  }
  assert.equal((await loadFailure(await writeJob({ ...minimal, LOG_LEVEL: 25 }))).lines.length, 1);
});

Deno.test("command-line overrides replace the file's run mode and log level", async () => {
  const path = await writeJob({ ...minimal, RUN_MODE: "continuous", LOG_LEVEL: "ERROR" });
  const job = await loadBackupJob(path, { runMode: "once", logLevel: "debug" });
  assert.equal(job.runMode, "once");
  assert.equal(job.logLevel, 10);
  const untouched = await loadBackupJob(path, {});
  assert.equal(untouched.runMode, "continuous");
  assert.equal(untouched.logLevel, 40);
});

Deno.test("an invalid override is reported like a bad value, blamed on the command line", async () => {
  const { lines } = await loadFailure(await writeJob(minimal), {
    runMode: "follow",
    logLevel: "chatty",
  });
  assert.deepEqual(lines, [
    'command-line runMode: expected one of "continuous", "once", got "follow"',
    'command-line logLevel: expected one of 10, 20, 30, 40, "DEBUG", "INFO", "WARNING", "WARN", "ERROR", got "chatty"',
  ]);
});

Deno.test("a staging limit below the chunk size is refused because a chunk could never be staged", async () => {
  const path = await writeJob({
    ...minimal,
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: "b-1",
    MAX_CHUNK_BYTES: 4096,
    STAGING_MAX_BYTES: 2048,
  });
  assert.deepEqual((await loadFailure(path)).lines, [
    "$.STAGING_MAX_BYTES: must be at least MAX_CHUNK_BYTES (4096)",
  ]);
  const bigChunks = await writeJob({
    ...minimal,
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: "b-1",
    MAX_CHUNK_BYTES: 2 ** 31,
  });
  assert.deepEqual((await loadFailure(bigChunks)).lines, [
    "$.MAX_CHUNK_BYTES: must be at most STAGING_MAX_BYTES (default 1073741824)",
  ]);
  const local = await loadBackupJob(await writeJob({ ...minimal, MAX_CHUNK_BYTES: 2 ** 31 }));
  assert.equal(local.maxChunkBytes, 2 ** 31, "no staging for LINUX, so no limit");
});

Deno.test("a loaded job survives structured cloning, so it can be posted to Workers", async () => {
  const job = await loadBackupJob(await writeJob({ ...minimal, TOPIC_INCLUDE_REGEX: "a.*" }));
  assert.deepEqual(structuredClone(job), job);
});

Deno.test('CONSUMER_GROUPS takes "*" or a list of group ids; the exclusion is a whole-name regex', async () => {
  const base = JSON.parse(PYTHON_TOOL_LOCAL_BACKUP);
  const job = await loadBackupJob(
    await writeJob(JSON.stringify({
      ...base,
      CONSUMER_GROUPS: ["billing", "audit", "billing"],
      CONSUMER_GROUPS_EXCLUDE_REGEX: "test-.*",
      GROUP_SNAPSHOT_INTERVAL_SECONDS: "5",
      RESTORATION_POINT_INTERVAL_SECONDS: 600,
    })),
  );
  assert.deepEqual(job.consumerGroups, ["billing", "audit"]);
  assert.equal(job.consumerGroupsExclude?.test("test-1"), true);
  assert.equal(job.consumerGroupsExclude?.test("my-test-1"), false);
  assert.deepEqual([job.groupSnapshotIntervalSeconds, job.restorationPointIntervalSeconds], [
    5,
    600,
  ]);
  const { lines } = await loadFailure(
    await writeJob(JSON.stringify({
      ...base,
      CONSUMER_GROUPS: ["ok", ""],
      CONSUMER_GROUPS_EXCLUDE_REGEX: "(",
      GROUP_SNAPSHOT_INTERVAL_SECONDS: 0,
    })),
  );
  assert.deepEqual(lines, [
    '$.CONSUMER_GROUPS[1]: expected a group id, got ""',
    "$.CONSUMER_GROUPS_EXCLUDE_REGEX: invalid regular expression: /(/: Unterminated group",
    "$.GROUP_SNAPSHOT_INTERVAL_SECONDS: expected a number > 0, got 0",
  ]);
});

Deno.test("RETENTION_MS and RETENTION_BYTES take -1 (no limit) or a whole number; retention is off by default", async () => {
  const base = JSON.parse(PYTHON_TOOL_LOCAL_BACKUP);
  const plain = await loadBackupJob(await writeJob(JSON.stringify(base)));
  assert.deepEqual(plain.retention, { policy: {}, checkSeconds: 300 });
  const job = await loadBackupJob(
    await writeJob(JSON.stringify({
      ...base,
      RETENTION_MS: "604800000",
      RETENTION_BYTES: -1,
      RETENTION_CHECK_SECONDS: 30,
    })),
  );
  assert.deepEqual(job.retention, { policy: { retentionMs: 604_800_000 }, checkSeconds: 30 });
  const { lines } = await loadFailure(
    await writeJob(JSON.stringify({
      ...base,
      RETENTION_MS: 0,
      RETENTION_BYTES: "10GB",
      RETENTION_CHECK_SECONDS: -5,
    })),
  );
  assert.deepEqual(lines, [
    "$.RETENTION_MS: expected -1 (no limit) or a whole number >= 1, got 0",
    '$.RETENTION_BYTES: expected -1 (no limit) or a whole number >= 1, got "10GB"',
    "$.RETENTION_CHECK_SECONDS: expected a number > 0, got -5",
  ]);
});

Deno.test("TOPIC_REFRESH_SECONDS defaults to 60 and must be a number > 0", async () => {
  const base = JSON.parse(PYTHON_TOOL_LOCAL_BACKUP);
  assert.equal((await loadBackupJob(await writeJob(JSON.stringify(base)))).topicRefreshSeconds, 60);
  const { lines } = await loadFailure(
    await writeJob(JSON.stringify({ ...base, TOPIC_REFRESH_SECONDS: 0 })),
  );
  assert.deepEqual(lines, ["$.TOPIC_REFRESH_SECONDS: expected a number > 0, got 0"]);
});
