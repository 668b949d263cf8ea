/**
 * The JSON Schema (draft-07, which editors support best) of each kind of job file,
 * generated from the key table (key_docs.ts) and committed under schemas/ (deno task
 * schemas). The parsers stay the authority: the schema has each value in every form a file
 * may write it, and the rules between keys that a schema can say; what depends on the
 * expanded values (COMPRESSION_LEVEL per codec, STAGING_MAX_BYTES >= MAX_CHUNK_BYTES, a
 * KAFKA_SSL that is false) only the parsers check.
 */
import { FILESYSTEM_TYPES, STORAGE_KIND_KEYS, storageKind } from "../storage/registry.ts";
import type { JobKind, ValueDoc } from "./key_doc.ts";
import {
  KEY_DOCS,
  keyFacts,
  keysOf,
  NEEDS_ONE_OF,
  type NeedsOneOf,
  remoteOnlyKeys,
} from "./key_docs.ts";
import { SCHEMA_KEY } from "./keys.ts";
import { anyCasePattern, asWritten, type Schema, SECRET } from "./schema_values.ts";

/** Where the schema of `kind` is committed, from the repository root. */
export function schemaFile(kind: JobKind): string {
  return `schemas/${kind}.schema.json`;
}

function keySchema(key: string, kind: JobKind): Schema {
  const facts = keyFacts(key, kind);
  return {
    description: facts.description,
    ...(facts.default === undefined ? {} : { default: facts.default }),
    ...(facts.secret ? secretSchema(facts.value) : asWritten(facts.value)),
  };
}

/** A secret as written: one `${VAR}`, or for an object of secrets one per member. */
function secretSchema(value: ValueDoc): Schema {
  if ("type" in value && value.type === "object") {
    return { ...asWritten(value), additionalProperties: SECRET };
  }
  return SECRET;
}

/** `requires` and `excludes` of the table, as draft-07 `dependencies`. */
function dependencies(kind: JobKind): Schema {
  const out: Schema = {};
  for (const key of keysOf(kind)) {
    const { requires = [], excludes = [] } = keyFacts(key, kind);
    if (excludes.length === 0 && requires.length === 0) continue;
    out[key] = excludes.length === 0 ? requires : {
      ...(requires.length > 0 ? { required: requires } : {}),
      not: { anyOf: excludes.map((other) => ({ required: [other] })) },
    };
  }
  return out;
}

/** At least one of `rule.keys`; a list among them must not be empty. */
function oneOf(rule: NeedsOneOf, kind: JobKind): Schema {
  return {
    anyOf: rule.keys.map((key) => {
      const value = keyFacts(key, kind).value;
      const list = "type" in value && value.type === "array";
      return list
        ? { required: [key], properties: { [key]: { type: "array", minItems: 1 } } }
        : { required: [key] };
    }),
  };
}

/** Per FILESYSTEM_TYPE: the keys it requires, the other kinds' keys it refuses. */
function storageRules(kind: JobKind): Schema[] {
  const defaultType = KEY_DOCS.FILESYSTEM_TYPE.default;
  return FILESYSTEM_TYPES.map((type) => {
    const storage = storageKind(type);
    const named = {
      required: ["FILESYSTEM_TYPE"],
      properties: { FILESYSTEM_TYPE: { type: "string", pattern: anyCasePattern([type]) } },
    };
    const refused = [
      ...STORAGE_KIND_KEYS.filter((key) => !storage.keys.includes(key)),
      ...(storage.remote ? [] : remoteOnlyKeys(kind)),
    ];
    const required = storage.keys.filter((key) => storage.docs[key].required);
    const needs = storage.remote ? NEEDS_ONE_OF[kind].filter((rule) => rule.remote) : [];
    return {
      if: type === defaultType
        ? { anyOf: [{ not: { required: ["FILESYSTEM_TYPE"] } }, named] }
        : named,
      then: {
        ...(required.length > 0 ? { required } : {}),
        ...(refused.length > 0
          ? { properties: Object.fromEntries(refused.map((k) => [k, false])) }
          : {}),
        ...(needs.length > 0 ? { allOf: needs.map((rule) => oneOf(rule, kind)) } : {}),
      },
    };
  });
}

/** The JSON Schema of a `kind` job file. */
export function jobSchema(kind: JobKind): Schema {
  const keys = keysOf(kind);
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $comment: "Generated from lib/config/key_docs.ts by `deno task schemas`: do not edit.",
    title: `kafka-backup ${kind} job`,
    description: `A ${kind} job file of kafka-backup; docs/configuration.md says more.`,
    type: "object",
    properties: {
      [SCHEMA_KEY]: {
        description: "this file's JSON Schema, for editors (the job ignores it)",
        type: "string",
      },
      ...Object.fromEntries(keys.map((key) => [key, keySchema(key, kind)])),
    },
    additionalProperties: false,
    required: keys.filter((key) => keyFacts(key, kind).required),
    dependencies: dependencies(kind),
    allOf: [
      ...NEEDS_ONE_OF[kind].filter((rule) => !rule.remote).map((rule) => oneOf(rule, kind)),
      ...storageRules(kind),
    ],
  };
}

/** The text of `kind`'s committed schema file. */
export function schemaText(kind: JobKind): string {
  return `${JSON.stringify(jobSchema(kind), null, 2)}\n`;
}
