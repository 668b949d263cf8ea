/** Every job key the config code accepts is documented in docs/configuration.md. */
import assert from "node:assert/strict";
import { BACKUP_KEYS, RESTORE_KEYS } from "../../lib/config/keys.ts";
import { KEY_DOCS, keyFacts } from "../../lib/config/key_docs.ts";
import { parseBackupJob } from "../../lib/config/backup_job.ts";
import { parseRestoreJob } from "../../lib/config/restore_job.ts";

const docs = await Deno.readTextFile(new URL("../../docs/configuration.md", import.meta.url));

Deno.test("every backup and restore job key is documented in docs/configuration.md", () => {
  const missing = [...new Set([...BACKUP_KEYS, ...RESTORE_KEYS])].filter((key) =>
    !docs.includes(`\`${key}\``)
  );
  assert.deepEqual(missing, []);
});

Deno.test("every key of the key table is documented, with the table's default", () => {
  const rows = docs.split("\n").filter((line) => line.startsWith("| `"));
  for (const [key, doc] of Object.entries(KEY_DOCS)) {
    // The first table row whose key column names it.
    const row = rows.find((line) => line.split("|")[1].includes(`\`${key}\``));
    assert.ok(row, `${key} has no row in docs/configuration.md`);
    for (const kind of doc.kinds) {
      const fallback = keyFacts(key, kind).default;
      if (fallback === undefined || fallback === "") continue;
      const spelled = [`\`${fallback}\``, `\`${JSON.stringify(fallback)}\``];
      assert.ok(
        spelled.some((s) => row.includes(s)),
        `${key}: default ${fallback} not in "${row}"`,
      );
    }
  }
});

// What the examples' ${VAR}s stand for.
const env = (name: string) =>
  name.includes("BOOTSTRAP") ? "kafka-1:9092" : name.includes("DIR") ? "/tmp/archive" : "value";

Deno.test("every example job file in configs/ is a valid job of its kind", async () => {
  for (const entry of Deno.readDirSync(new URL("../../configs/", import.meta.url))) {
    if (!entry.name.endsWith(".json")) continue;
    const raw = JSON.parse(
      await Deno.readTextFile(new URL(`../../configs/${entry.name}`, import.meta.url)),
    );
    const parse = entry.name.startsWith("backup") ? parseBackupJob : parseRestoreJob;
    assert.doesNotThrow(() => parse(entry.name, raw, {}, env), entry.name);
  }
});
