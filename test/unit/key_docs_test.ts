/**
 * The key table (lib/config/key_docs.ts) says what the parsers do: its defaults, choices,
 * required keys and rules between keys are held against the parsers here, since the
 * parsers keep their own checks and messages.
 */
import assert from "node:assert/strict";
import type { ValueDoc } from "../../lib/config/key_doc.ts";
import { KEY_DOCS, keyFacts, keysOf, NEEDS_ONE_OF } from "../../lib/config/key_docs.ts";
import { BACKUP_KEYS, RESTORE_KEYS } from "../../lib/config/keys.ts";
import { FILESYSTEM_TYPES, storageKind } from "../../lib/storage/registry.ts";
import {
  type Job,
  jobFor,
  KINDS,
  MINIMAL,
  parse,
  SAMPLE,
  withStorage,
} from "../helpers/job_samples.ts";

function valid(kind: "backup" | "restore", job: Job, what: string): void {
  assert.deepEqual(parse(kind, job).problems, [], what);
}

function refused(kind: "backup" | "restore", job: Job, what: string): string[] {
  const { problems } = parse(kind, job);
  assert.notDeepEqual(problems, [], `${what}: expected the parser to refuse it`);
  return problems;
}

/** The string choices anywhere in a value's doc. */
function choices(doc: ValueDoc): string[] {
  if ("anyOf" in doc) return doc.anyOf.flatMap(choices);
  return doc.type === "string" && doc.ignoreCase && doc.enum ? [...doc.enum] : [];
}

Deno.test("the key lists are the table's, each key once", () => {
  assert.deepEqual(BACKUP_KEYS, keysOf("backup"));
  assert.deepEqual(RESTORE_KEYS, keysOf("restore"));
  assert.equal(new Set(Object.keys(KEY_DOCS)).size, Object.keys(KEY_DOCS).length);
  for (const key of Object.keys(KEY_DOCS)) {
    for (const kind of KEY_DOCS[key].kinds) assert.ok(keyFacts(key, kind).description, key);
  }
});

Deno.test("setting a key to its documented default changes nothing", () => {
  for (const kind of KINDS) {
    for (const key of keysOf(kind)) {
      const { default: fallback } = keyFacts(key, kind);
      if (fallback === undefined) continue;
      const job = jobFor(kind, key);
      const without = parse(kind, job);
      assert.deepEqual(without.problems, [], `${kind} ${key}`);
      assert.deepEqual(parse(kind, { ...job, [key]: fallback }), without, `${kind} ${key}`);
    }
  }
});

Deno.test("the keys the table calls required are the ones the parsers require", () => {
  for (const kind of KINDS) {
    valid(kind, MINIMAL[kind], `minimal ${kind} job`);
    const needed = new Set(NEEDS_ONE_OF[kind].flatMap((rule) => rule.keys));
    for (const key of Object.keys(MINIMAL[kind])) {
      if (needed.has(key)) continue;
      assert.ok(keyFacts(key, kind).required, `${kind} ${key} is required but not so in the table`);
      const { [key]: _, ...without } = MINIMAL[kind];
      assert.ok(
        refused(kind, without, `${kind} without ${key}`).includes(
          `$.${key}: missing required key`,
        ),
      );
    }
    for (const key of keysOf(kind)) {
      if (keyFacts(key, kind).required) assert.ok(key in MINIMAL[kind], `${kind} ${key}`);
    }
  }
});

Deno.test("each storage requires the keys its docs call required, and no others", () => {
  for (const kind of KINDS) {
    for (const type of FILESYSTEM_TYPES) {
      const job = withStorage(MINIMAL[kind], type);
      valid(kind, job, `${kind} ${type}`);
      for (const key of storageKind(type).keys) {
        if (!storageKind(type).docs[key].required) continue;
        const { [key]: _, ...without } = job;
        const problems = refused(kind, without, `${kind} ${type} without ${key}`);
        assert.ok(problems.some((p) => p.startsWith(`$.${key}: missing required key`)), key);
      }
    }
  }
});

Deno.test("a key is refused without the keys the table says it requires, and with those it excludes", () => {
  for (const kind of KINDS) {
    for (const key of keysOf(kind)) {
      const { requires = [], excludes = [] } = keyFacts(key, kind);
      if (requires.length === 0 && excludes.length === 0) continue;
      const job = { ...jobFor(kind, key), [key]: SAMPLE[key] };
      valid(kind, job, `${kind} ${key} with what it requires`);
      for (const other of requires) {
        const { [other]: _, ...without } = job;
        refused(kind, without, `${kind} ${key} without ${other}`);
      }
      for (const other of excludes) {
        refused(kind, { ...job, [other]: SAMPLE[other] }, `${kind} ${key} with ${other}`);
      }
    }
  }
});

Deno.test("every choice of the table is accepted in any case, and nothing else", () => {
  for (const kind of KINDS) {
    for (const key of keysOf(kind)) {
      const list = choices(keyFacts(key, kind).value);
      if (list.length === 0) continue;
      for (const choice of [...list, ...list.map((c) => c.toLowerCase())]) {
        const job = jobFor(kind, key);
        const set = key === "FILESYSTEM_TYPE"
          ? withStorage(job, choice.toUpperCase() as "S3")
          : { ...job, [key]: choice };
        valid(kind, set, `${kind} ${key} ${choice}`);
      }
      const problems = refused(kind, { ...jobFor(kind, key), [key]: "nonsense" }, key);
      assert.ok(problems.some((p) => p.startsWith(`$.${key}: expected`)), problems[0]);
    }
  }
});

Deno.test("a job needs one key of each of the table's sets, and any one of them is enough", () => {
  for (const kind of KINDS) {
    for (const rule of NEEDS_ONE_OF[kind]) {
      const base = rule.remote ? withStorage(MINIMAL[kind], "S3") : MINIMAL[kind];
      const none = Object.fromEntries(
        Object.entries(base).filter(([key]) => !rule.keys.includes(key)),
      );
      refused(kind, none, `${kind} without any of ${rule.keys}`);
      for (const key of rule.keys) valid(kind, { ...none, [key]: SAMPLE[key] }, `${kind} ${key}`);
    }
  }
});

Deno.test("the keys only remote storage uses are refused with LINUX", () => {
  for (const kind of KINDS) {
    for (const key of keysOf(kind)) {
      if (!KEY_DOCS[key].remoteOnly) continue;
      valid(kind, { ...jobFor(kind, key), [key]: SAMPLE[key] }, `${kind} ${key} with S3`);
      refused(kind, { ...MINIMAL[kind], [key]: SAMPLE[key] }, `${kind} ${key} with LINUX`);
    }
  }
});
