/**
 * Bad input through the real entry scripts: a clear message naming the file and JSON
 * path, the documented exit code, and nothing written.
 */
import assert from "node:assert/strict";
import { randomName } from "../helpers/env.ts";
import { expectExit, logMessages, PERMISSIONS, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

const badBackupJobs: Array<[string, (dir: string) => Record<string, unknown>, RegExp]> = [
  [
    "an unknown key",
    (dir) => ({ ...backupJob(["t"], dir), TOPIC_NAME: ["t"] }),
    /\$\.TOPIC_NAME.*did you mean "TOPIC_NAMES"/,
  ],
  [
    "a wrong type",
    (dir) => backupJob(["t"], dir, { NUMBER_OF_KAFKA_THREADS: "three" }),
    /\$\.NUMBER_OF_KAFKA_THREADS/,
  ],
  [
    "an unset variable",
    (dir) => backupJob(["t"], dir, { GROUP_ID: "${KB_TEST_SURELY_UNSET}" }),
    /KB_TEST_SURELY_UNSET/,
  ],
  [
    "a bad compression",
    (dir) => backupJob(["t"], dir, { COMPRESSION: "brotli" }),
    /\$\.COMPRESSION.*"zstd"/,
  ],
  ["a literal password", (dir) =>
    backupJob(["t"], dir, {
      KAFKA_SASL_MECHANISM: "PLAIN",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: "hunter2",
    }), /\$\.KAFKA_SASL_PASSWORD/],
];

for (const [what, make, message] of badBackupJobs) {
  Deno.test(`backup.ts rejects a job file with ${what}: exit 2, file and path named, nothing written`, async () => {
    const dir = `${await Deno.makeTempDir()}/archive`;
    const job = await writeJob(make(dir), "backup.json");
    const result = await runScript("backup.ts", [job]);
    expectExit(result, 2);
    assert.match(logMessages(result.stderr), /backup\.json/);
    assert.match(logMessages(result.stderr), message);
    assert.equal(logMessages(result.stderr).includes("hunter2"), false);
    assert.equal(await exists(dir), false);
  });
}

Deno.test("backup.ts rejects invalid JSON naming the line", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/backup.json`, '{\n  "GROUP_ID": "g",\n  oops\n}');
  const result = await runScript("backup.ts", [`${dir}/backup.json`]);
  expectExit(result, 2);
  assert.match(logMessages(result.stderr), /backup\.json.*line 3/);
});

Deno.test("backup.ts names a missing job file and a missing topic", async () => {
  const missing = await runScript("backup.ts", ["/nonexistent/backup.json"]);
  expectExit(missing, 2);
  assert.match(logMessages(missing.stderr), /\/nonexistent\/backup\.json/);
  const dir = `${await Deno.makeTempDir()}/archive`;
  const topic = randomName("absent");
  const noTopic = await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]);
  expectExit(noTopic, 3);
  assert.match(logMessages(noTopic.stderr), new RegExp(`"${topic}"`));
});

Deno.test("backup.ts reports an unreachable cluster with exit 3", async () => {
  const dir = await Deno.makeTempDir();
  const job = backupJob(["t"], dir, { BOOTSTRAP_SERVERS: "127.0.0.1:1" });
  const result = await runScript("backup.ts", [await writeJob(job)]);
  expectExit(result, 3);
  assert.match(logMessages(result.stderr), /127\.0\.0\.1:1/);
});

Deno.test("restore.ts rejects the Python tool's placeholder strategy listing the choices", async () => {
  const dir = await Deno.makeTempDir();
  const job = restoreJob("src", "dst", dir, { RESTORE_PARTITION_STRATEGY: "same/random" });
  const result = await runScript("restore.ts", [await writeJob(job, "restore.json")]);
  expectExit(result, 2);
  assert.match(
    logMessages(result.stderr),
    /restore\.json.*\$\.RESTORE_PARTITION_STRATEGY.*"same", "random", "key"/s,
  );
});

Deno.test("--help prints the usage and exits 0; an unknown flag exits 2", async () => {
  const help = await runScript("backup.ts", ["--help"]);
  expectExit(help, 0);
  assert.match(help.stdout, /Usage: backup\.ts/);
  const bad = await runScript("restore.ts", ["--bogus", "x.json"]);
  expectExit(bad, 2);
  assert.match(logMessages(bad.stderr), /bogus/);
});

/** Runs an entry script on a pseudo-terminal (util-linux `script`), as a person would. */
async function onTerminal(script: string, args: string[]) {
  const command = [Deno.execPath(), "run", ...PERMISSIONS, script, ...args]
    .map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, text: new TextDecoder().decode(out.stdout).replaceAll("\r", "") };
}

Deno.test("at a terminal, a usage error and a bad job file are plain text: the problems, then the usage", async () => {
  const usage = await onTerminal("restore.ts", []);
  assert.equal(usage.code, 2);
  assert.match(usage.text, /^error: Expected exactly one job file, got 0\n\nUsage: restore\.ts/);
  assert.doesNotMatch(usage.text, /"@timestamp"/);
  const dir = await Deno.makeTempDir();
  const job = await writeJob({ ...backupJob(["t"], dir), TOPIC_NAME: ["t"], COMPRESSION: "x" });
  const bad = await onTerminal("backup.ts", [job]);
  assert.equal(bad.code, 2);
  const lines = bad.text.trim().split("\n");
  assert.deepEqual(lines.map((l) => l.startsWith("error: ") && l.includes("job.json")), [
    true,
    true,
  ]);
});
