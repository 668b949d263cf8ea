/**
 * The deployment files: every YAML file parses (with a real YAML parser), the CronJob
 * never runs two backups at once and takes its secrets from a Secret, and the image is
 * built on the Deno version the project pins.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";

const repo = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, repo));

function yamlFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(new URL(dir, repo))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(entry.name)) files.push(path);
  }
  return files;
}

// deno-lint-ignore no-explicit-any
function documents(path: string): any[] {
  const docs = parseAllDocuments(read(path));
  for (const doc of docs) assert.deepEqual(doc.errors, [], `${path}: ${doc.errors}`);
  return docs.map((doc) => doc.toJS());
}

Deno.test("every YAML file under deploy/ parses", () => {
  const files = yamlFiles("deploy");
  assert.ok(files.length >= 3, `found ${files}`);
  for (const file of files) assert.ok(documents(file).length > 0, file);
});

Deno.test("the backup CronJob forbids overlapping runs, limits its memory and reads secrets from a Secret", () => {
  const docs = documents("deploy/kubernetes/backup-cronjob.yaml");
  const cron = docs.find((d) => d.kind === "CronJob");
  assert.equal(cron.spec.concurrencyPolicy, "Forbid");
  const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
  assert.deepEqual(container.args.slice(0, 2), ["backup", "--once"]);
  assert.ok(container.resources.limits.memory && container.resources.requests.memory);
  assert.equal(
    container.envFrom[0].secretRef.name,
    docs.find((d) => d.kind === "Secret").metadata.name,
  );
  // The job file inside is a valid JSON job with its password as a ${VAR} reference.
  const job = JSON.parse(docs.find((d) => d.kind === "ConfigMap").data["backup.json"]);
  assert.match(job.KAFKA_SASL_PASSWORD, /^\$\{\w+\}$/);
});

Deno.test("the image is built on the pinned Deno version and runs as a non-root user", () => {
  const pinned = /DENO_VERSION=(\S+)/.exec(read("test/services/versions.sh"))![1];
  const dockerfile = read("Dockerfile");
  assert.match(
    dockerfile,
    new RegExp(`^FROM denoland/deno:debian-${pinned.replace(/\./g, "\\.")}$`, "m"),
  );
  assert.match(dockerfile, /^USER deno$/m);
  assert.doesNotMatch(dockerfile, /(PASSWORD|SECRET|ACCESS_KEY)=/);
});
