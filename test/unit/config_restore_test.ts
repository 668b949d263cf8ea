import assert from "node:assert/strict";
import { loadRestoreJob, type RestoreJob } from "../../lib/config/restore_job.ts";
import { failure, withEnv, writeJob } from "./config_helpers_test.ts";

async function restoreFailure(
  job: string | Record<string, unknown>,
  overrides = {},
): Promise<string[]> {
  const path = await writeJob(job, "restore.json");
  return (await failure(path, () => loadRestoreJob(path, overrides))).lines;
}

async function load(job: Record<string, unknown>, overrides = {}): Promise<RestoreJob> {
  return await loadRestoreJob(await writeJob(job, "restore.json"), overrides);
}

// The job files of the README of 116davinder's Python kafka-backup, verbatim.
const PYTHON_TOOL_LOCAL_RESTORE = `{
  "BOOTSTRAP_SERVERS": "localhost:9092",
  "RESTORE_TOPIC_NAME": "davinder-restore.test",
  "FILESYSTEM_TYPE": "LINUX",
  "FILESYSTEM_BACKUP_DIR": "/tmp/davinder.test",
  "RETRY_SECONDS": 100,
  "RESTORE_PARTITION_STRATEGY": "same/random"
}
`;
const PYTHON_TOOL_S3_RESTORE = `{
  "BOOTSTRAP_SERVERS": "kafka01:9092,kafka02:9092,kafka03:9092",
  "BACKUP_TOPIC_NAME": "davinder.test",
  "RESTORE_TOPIC_NAME": "davinder-restore.test",
  "FILESYSTEM_TYPE": "S3",
  "BUCKET_NAME": "davinder-test-kafka-backup",
  "FILESYSTEM_BACKUP_DIR": "/tmp",
  "RETRY_SECONDS": 100,
  "RESTORE_PARTITION_STRATEGY": "same/random"
}
`;
const STRATEGY_ERROR =
  '$.RESTORE_PARTITION_STRATEGY: expected one of "same", "random", "key", got "same/random"';

Deno.test('the Python tool\'s restore files are accepted except for their ambiguous "same/random" placeholder', async () => {
  assert.deepEqual(await restoreFailure(PYTHON_TOOL_LOCAL_RESTORE), [STRATEGY_ERROR]);
  assert.deepEqual(await restoreFailure(PYTHON_TOOL_S3_RESTORE), [STRATEGY_ERROR]);
});

Deno.test("the Python tool's local restore.json reads the topic from its directory name and restores into RESTORE_TOPIC_NAME", async () => {
  const path = await writeJob(
    PYTHON_TOOL_LOCAL_RESTORE.replace("same/random", "same"),
    "restore.json",
  );
  const expected: RestoreJob = {
    file: path,
    kafka: { brokers: ["localhost:9092"] },
    storage: { type: "local", root: "/tmp" },
    topics: [{ source: "davinder.test", target: "davinder-restore.test" }],
    archiveRoot: "/tmp",
    retrySeconds: 100,
    retryDownloadSeconds: 10,
    strategy: "same",
    threads: 1,
    logLevel: 20,
    runMode: "follow",
    createTopic: false,
    allowNonEmptyTarget: false,
    bytesPerTransaction: 16 * 1024 * 1024,
    bufferMaxBytes: 24 * 1024 ** 2,
    progressIntervalSeconds: 10,
    operations: {},
  };
  assert.deepEqual(await loadRestoreJob(path), expected);
});

Deno.test("the Python tool's S3 restore.json restores BACKUP_TOPIC_NAME from the bucket with AWS's default endpoint", async () => {
  const path = await writeJob(
    PYTHON_TOOL_S3_RESTORE.replace("same/random", "random"),
    "restore.json",
  );
  const job = await loadRestoreJob(path);
  assert.deepEqual(job.topics, [{ source: "davinder.test", target: "davinder-restore.test" }]);
  assert.deepEqual(job.storage, {
    type: "s3",
    bucket: "davinder-test-kafka-backup",
    prefix: "",
    forcePathStyle: false,
    timeoutMs: 60000,
    stagingDir: "/tmp",
  });
  assert.equal(job.archiveRoot, undefined);
  assert.equal(job.strategy, "random");
  assert.deepEqual(job.kafka.brokers, ["kafka01:9092", "kafka02:9092", "kafka03:9092"]);
});

Deno.test("a topic directory with a trailing slash resolves like one without", async () => {
  const job = await load({
    BOOTSTRAP_SERVERS: "k:1",
    RESTORE_TOPIC_NAME: "t2",
    FILESYSTEM_BACKUP_DIR: "/data/t1/",
  });
  assert.deepEqual(job.topics, [{ source: "t1", target: "t2" }]);
  assert.equal(job.archiveRoot, "/data");
});

Deno.test("without BACKUP_TOPIC_NAME or TOPIC_MAP the target topic and a topic-named directory are required", async () => {
  assert.deepEqual(
    await restoreFailure({ BOOTSTRAP_SERVERS: "k:1", FILESYSTEM_BACKUP_DIR: "/tmp/t" }),
    [
      "$.RESTORE_TOPIC_NAME: missing required key (the topic to restore into; or give BACKUP_TOPIC_NAME or TOPIC_MAP)",
    ],
  );
  assert.deepEqual(
    await restoreFailure({
      BOOTSTRAP_SERVERS: "k:1",
      RESTORE_TOPIC_NAME: "t",
      FILESYSTEM_BACKUP_DIR: "/",
    }),
    [
      "$.FILESYSTEM_BACKUP_DIR: without BACKUP_TOPIC_NAME or TOPIC_MAP this is the backed-up topic's own " +
      'directory, but its name "" is not a topic name (must have 1 to 249 characters)',
    ],
  );
  assert.deepEqual(
    await restoreFailure({
      BOOTSTRAP_SERVERS: "k:1",
      RESTORE_TOPIC_NAME: "t",
      FILESYSTEM_TYPE: "S3",
      BUCKET_NAME: "b-1",
      FILESYSTEM_BACKUP_DIR: "/tmp/t",
    }),
    ['$.BACKUP_TOPIC_NAME: missing: with FILESYSTEM_TYPE "S3" give BACKUP_TOPIC_NAME or TOPIC_MAP'],
  );
});

Deno.test("BACKUP_TOPIC_NAME alone restores into a topic of the same name under the archive root", async () => {
  const job = await load({
    BOOTSTRAP_SERVERS: "k:1",
    BACKUP_TOPIC_NAME: "orders",
    FILESYSTEM_BACKUP_DIR: "/b/",
  });
  assert.deepEqual(job.topics, [{ source: "orders", target: "orders" }]);
  assert.equal(job.archiveRoot, "/b");
  assert.deepEqual(job.storage, { type: "local", root: "/b" });
});

Deno.test("TOPIC_MAP gives several pairs, with ${VAR} in its values", async () => {
  const suffix = `KB_CONFIG_TEST_SUFFIX_${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
  const path = await writeJob({
    BOOTSTRAP_SERVERS: "k:1",
    FILESYSTEM_BACKUP_DIR: "/b",
    TOPIC_MAP: { "orders.eu": `orders.eu-\${${suffix}}`, payments: "payments" },
  });
  const job = await withEnv({ [suffix]: "restored" }, () => loadRestoreJob(path));
  assert.deepEqual(job.topics, [
    { source: "orders.eu", target: "orders.eu-restored" },
    { source: "payments", target: "payments" },
  ]);
});

Deno.test("TOPIC_MAP rejects single-topic keys beside it, bad names and two sources into one target", async () => {
  const lines = await restoreFailure({
    BOOTSTRAP_SERVERS: "k:1",
    FILESYSTEM_BACKUP_DIR: "/b",
    RESTORE_TOPIC_NAME: "x",
    TOPIC_MAP: { "a": "same", "b": "same", "bad name": "c", "d": "no/slash" },
  });
  assert.deepEqual(lines, [
    "$.RESTORE_TOPIC_NAME: not allowed together with TOPIC_MAP (add the pair to TOPIC_MAP)",
    '$.TOPIC_MAP.b: target "same" is also the target of "a"',
    `$.TOPIC_MAP["bad name"]: invalid source topic name: may only contain letters, digits, '.', '_' and '-'`,
    `$.TOPIC_MAP.d: invalid topic name "no/slash": may only contain letters, digits, '.', '_' and '-'`,
  ]);
  assert.deepEqual(
    await restoreFailure({ BOOTSTRAP_SERVERS: "k:1", FILESYSTEM_BACKUP_DIR: "/b", TOPIC_MAP: {} }),
    [
      '$.TOPIC_MAP: expected an object {"source topic": "target topic", ...}, got an object',
    ],
  );
});

Deno.test("restore defaults apply and every optional key is read", async () => {
  const job = await load({
    BOOTSTRAP_SERVERS: "k:1",
    BACKUP_TOPIC_NAME: "t",
    FILESYSTEM_BACKUP_DIR: "/b",
    PARTITIONS: [3, 1, 3],
    START_OFFSET: 10,
    END_OFFSET: "20",
    START_TIMESTAMP: "2024-05-01T14:00:00+02:00",
    END_TIMESTAMP: 1714600000000,
    CREATE_TOPIC: true,
    ALLOW_NON_EMPTY_TARGET: "false",
    RECORDS_PER_TRANSACTION: 500,
    BYTES_PER_TRANSACTION: "1048576",
    RESTORE_PARTITION_STRATEGY: "KEY",
    RUN_MODE: "once",
    RETRY_SECONDS: 0.5,
  });
  assert.deepEqual(job.partitions, [1, 3]);
  assert.deepEqual([job.startOffset, job.endOffset], [10, 20]);
  assert.deepEqual([job.startTimestamp, job.endTimestamp], [
    Date.UTC(2024, 4, 1, 12),
    1714600000000,
  ]);
  assert.deepEqual(
    [job.createTopic, job.allowNonEmptyTarget, job.recordsPerTransaction, job.bytesPerTransaction],
    [true, false, 500, 1048576],
  );
  assert.deepEqual([job.strategy, job.runMode, job.retrySeconds], ["key", "once", 0.5]);
});

Deno.test("RETRY_DOWNLOAD_SECONDS bounds the waits between storage retries, apart from RETRY_SECONDS", async () => {
  const s3 = {
    BOOTSTRAP_SERVERS: "k:1",
    BACKUP_TOPIC_NAME: "t",
    FILESYSTEM_TYPE: "S3",
    BUCKET_NAME: "b-1",
    FILESYSTEM_BACKUP_DIR: "/b",
  };
  const job = await load({ ...s3, RETRY_SECONDS: 2, RETRY_DOWNLOAD_SECONDS: "0.5" });
  assert.deepEqual([job.retrySeconds, job.retryDownloadSeconds], [2, 0.5]);
  const defaults = await load({ ...s3, RETRY_SECONDS: 2 });
  assert.deepEqual([defaults.retrySeconds, defaults.retryDownloadSeconds], [2, 10]);
  assert.deepEqual(await restoreFailure({ ...s3, RETRY_DOWNLOAD_SECONDS: 0 }), [
    "$.RETRY_DOWNLOAD_SECONDS: expected a number > 0, got 0",
  ]);
});

Deno.test("bad partitions, offsets and timestamps are each reported", async () => {
  const lines = await restoreFailure({
    BOOTSTRAP_SERVERS: "k:1",
    BACKUP_TOPIC_NAME: "t",
    FILESYSTEM_BACKUP_DIR: "/b",
    PARTITIONS: [0, -1, "x"],
    START_OFFSET: 30,
    END_OFFSET: 20,
    START_TIMESTAMP: "2024-05-01T12:00:00",
    END_TIMESTAMP: "2024-02-30",
    RUN_MODE: "continuous",
  });
  assert.deepEqual(lines, [
    "$.PARTITIONS[1]: expected a whole number >= 0, got -1",
    '$.PARTITIONS[2]: expected a whole number >= 0, got "x"',
    "$.START_OFFSET: is after END_OFFSET (both bounds are inclusive)",
    '$.START_TIMESTAMP: expected epoch milliseconds or an ISO-8601 time, got "2024-05-01T12:00:00": add a zone ' +
    '("Z" or an offset like +02:00)',
    '$.END_TIMESTAMP: expected epoch milliseconds or an ISO-8601 time, got "2024-02-30": no such date or time',
    '$.RUN_MODE: expected one of "once", "follow", got "continuous"',
  ]);
});

Deno.test("a backup-only key in a restore job is called out as belonging to backup", async () => {
  const lines = await restoreFailure({
    BOOTSTRAP_SERVERS: "k:1",
    BACKUP_TOPIC_NAME: "t",
    FILESYSTEM_BACKUP_DIR: "/b",
    GROUP_ID: "g",
  });
  assert.deepEqual(lines, [
    "$.GROUP_ID: unknown key in a restore job (GROUP_ID is only used in backup job files)",
  ]);
});

Deno.test("restore overrides replace run mode and log level and are validated", async () => {
  const base = { BOOTSTRAP_SERVERS: "k:1", BACKUP_TOPIC_NAME: "t", FILESYSTEM_BACKUP_DIR: "/b" };
  const job = await load(base, { runMode: "once", logLevel: 30 });
  assert.deepEqual([job.runMode, job.logLevel], ["once", 30]);
  assert.deepEqual(await restoreFailure(base, { runMode: "continuous" }), [
    'command-line runMode: expected one of "once", "follow", got "continuous"',
  ]);
});

Deno.test("a missing restore file and invalid restore JSON name the file", async () => {
  const missing = `/nonexistent-${crypto.randomUUID()}/restore.json`;
  assert.deepEqual((await failure(missing, () => loadRestoreJob(missing))).lines, [
    "cannot read the job file: file not found",
  ]);
  assert.deepEqual(await restoreFailure('{"BOOTSTRAP_SERVERS": "k:1",\n\n   oops}'), [
    'invalid JSON: expected a quoted key, found "o" at line 3, column 4',
  ]);
});

Deno.test("RESTORATION_POINT takes latest, an id or a time, and makes the run a once run", async () => {
  const base = { BOOTSTRAP_SERVERS: "k:1", BACKUP_TOPIC_NAME: "t", FILESYSTEM_BACKUP_DIR: "/b" };
  assert.deepEqual((await load({ ...base, RESTORATION_POINT: "Latest" })).restorationPoint, {
    kind: "latest",
  });
  const id = "20261202T054539123Z-1a2b3c4d";
  const byId = await load({ ...base, RESTORATION_POINT: id });
  assert.deepEqual([byId.restorationPoint, byId.runMode], [{ kind: "id", id }, "once"]);
  assert.deepEqual(
    (await load({ ...base, RESTORATION_POINT: "2026-12-02T02:00:00Z" })).restorationPoint,
    {
      kind: "time",
      ms: Date.UTC(2026, 11, 2, 2),
    },
  );
  assert.deepEqual(await restoreFailure({ ...base, RESTORATION_POINT: "yesterday" }), [
    '$.RESTORATION_POINT: expected "latest", a restoration point id (restore.ts --list-points) or a time, got "yesterday"',
  ]);
  assert.deepEqual(await restoreFailure({ ...base, RESTORATION_POINT: id, RUN_MODE: "follow" }), [
    '$.RESTORATION_POINT: restores a fixed moment of the backup: it cannot be followed (RUN_MODE "follow")',
  ]);
});

Deno.test("group and topic-config keys are checked against the job", async () => {
  const base = {
    BOOTSTRAP_SERVERS: "k:1",
    TOPIC_MAP: { a: "a2", b: "b2" },
    FILESYSTEM_BACKUP_DIR: "/b",
  };
  const job = await load({
    ...base,
    RESTORE_CONSUMER_GROUPS: ["billing"],
    CONSUMER_GROUP_MAP: { billing: "billing-dr" },
    TOPIC_CONFIG_OVERRIDES: { a2: { "retention.ms": "1000", "segment.ms": null } },
  });
  assert.deepEqual(job.restoreConsumerGroups, ["billing"]);
  assert.deepEqual(job.consumerGroupMap, { billing: "billing-dr" });
  assert.deepEqual(job.topicConfigOverrides, {
    a2: { "retention.ms": "1000", "segment.ms": null },
  });
  assert.deepEqual(
    await restoreFailure({
      ...base,
      CONSUMER_GROUP_MAP: { x: "y", z: "y" },
      TOPIC_CONFIG_OVERRIDES: { a: { "retention.ms": 5 } },
    }),
    [
      "$.CONSUMER_GROUP_MAP: only used when RESTORE_CONSUMER_GROUPS is set",
      '$.CONSUMER_GROUP_MAP.z: target group "y" is also the target of "x"',
      '$.TOPIC_CONFIG_OVERRIDES.a: "a" is not a target topic of this job (a2, b2)',
      '$.TOPIC_CONFIG_OVERRIDES.a["retention.ms"]: expected a string value or null (to drop it), got 5',
    ],
  );
  assert.deepEqual(
    await restoreFailure({
      ...base,
      RESTORE_PARTITION_STRATEGY: "key",
      PARTITIONS: [0],
      RESTORE_CONSUMER_GROUPS: "*",
    }),
    ['$.RESTORE_CONSUMER_GROUPS: with strategy "key" needs the whole restore in one process: leave PARTITIONS out'],
  );
});
