import assert from "node:assert/strict";
import { loadBackupJob } from "../../lib/config/backup_job.ts";
import { loadRestoreJob } from "../../lib/config/restore_job.ts";
import { failure, writeJob } from "./config_helpers_test.ts";

const backup = {
  BOOTSTRAP_SERVERS: "localhost:9092",
  TOPIC_NAMES: ["orders"],
  GROUP_ID: "backup-group",
  FILESYSTEM_BACKUP_DIR: "/backups",
};
const restore = {
  BOOTSTRAP_SERVERS: "localhost:9092",
  BACKUP_TOPIC_NAME: "orders",
  FILESYSTEM_BACKUP_DIR: "/backups",
};

Deno.test("a job file may name its JSON Schema with $schema, which changes nothing", async () => {
  const withSchema = await loadBackupJob(
    await writeJob({ $schema: "../schemas/backup.schema.json", ...backup }),
  );
  const without = await loadBackupJob(await writeJob(backup));
  assert.deepEqual({ ...withSchema, file: "" }, { ...without, file: "" });

  const restoreWith = await loadRestoreJob(
    await writeJob({ ...restore, $schema: "https://example.com/restore.schema.json" }),
  );
  assert.deepEqual({ ...restoreWith, file: "" }, {
    ...await loadRestoreJob(await writeJob(restore)),
    file: "",
  });
});

Deno.test("$schema is not expanded or checked, and the file's other problems are still reported", async () => {
  const path = await writeJob({ ...backup, $schema: "${UNSET_SCHEMA_VARIABLE}", GROUPID: "x" });
  const { lines } = await failure(path, () => loadBackupJob(path));
  assert.deepEqual(lines, ['$.GROUPID: unknown key (did you mean "GROUP_ID"?)']);
});
