/**
 * The JSON Schema of one value as a job file may write it. The key table describes values
 * as the parsers check them after `${VAR}` expansion; a file may also write, anywhere a
 * string goes, a string with a `${VAR}` in it, and numbers and booleans as strings (a
 * `${VAR}` value is always a string, and the Python tool wrote "False").
 */
import type { ValueDoc } from "./key_doc.ts";
import { SECRET_REFERENCE } from "./secrets.ts";
import { NUMBER_TEXT } from "./values.ts";

/** A JSON Schema (draft-07) object. */
export type Schema = Record<string, unknown>;

/** A string with a `${VAR}` reference in it: only its expansion can be checked. */
export const WITH_REFERENCE: Schema = {
  type: "string",
  pattern: SECRET_REFERENCE.source.slice(1, -1),
};

/** What a secret may be: one whole `${VAR}` reference (secrets.ts). */
export const SECRET: Schema = { type: "string", pattern: SECRET_REFERENCE.source };

/** A pattern for `words` in any case, with spaces around (as values.ts oneOf matches them). */
export function anyCasePattern(words: readonly (string | number)[]): string {
  const spelled = words.map((word) =>
    [...String(word)].map((c) =>
      c.toLowerCase() !== c.toUpperCase()
        ? `[${c.toUpperCase()}${c.toLowerCase()}]`
        : c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&") // "\-" is no escape with ajv's "u" flag
    ).join("")
  );
  return `^\\s*(?:${spelled.join("|")})\\s*$`;
}

const NUMBER_STRING: Schema = { type: "string", pattern: NUMBER_TEXT.source };
const BOOLEAN_STRING: Schema = { type: "string", pattern: anyCasePattern(["true", "false"]) };

/** The schema of a value described by `doc`, in every form a file may write it. */
export function asWritten(doc: ValueDoc): Schema {
  if ("anyOf" in doc) return anyOf(doc.anyOf.map(asWritten));
  switch (doc.type) {
    case "boolean":
      return anyOf([doc, BOOLEAN_STRING, WITH_REFERENCE]);
    case "integer":
    case "number":
      return anyOf([{ ...doc }, NUMBER_STRING, WITH_REFERENCE]);
    case "string": {
      const { ignoreCase, ...exact } = doc;
      // Any string at all: a reference is one already.
      if (Object.keys(exact).length === 1) return exact;
      const spellings = ignoreCase && doc.enum
        ? [{ type: "string", pattern: anyCasePattern(doc.enum) }]
        : [];
      return anyOf([exact, ...spellings, WITH_REFERENCE]);
    }
    case "array":
      return { ...doc, items: asWritten(doc.items) };
    case "object": {
      // Member names are used as written: only member values may hold a reference.
      const names = doc.propertyNames && { type: "string", ...doc.propertyNames };
      return {
        ...doc,
        additionalProperties: asWritten(doc.additionalProperties),
        ...(names ? { propertyNames: names } : {}),
      };
    }
    case "null":
      return { ...doc };
  }
}

/** One schema for any of `schemas`: nested anyOf flattened, repeats dropped. */
function anyOf(schemas: Schema[]): Schema {
  const seen = new Map<string, Schema>();
  for (const schema of schemas.flatMap((s) => (s.anyOf as Schema[] | undefined) ?? [s])) {
    seen.set(JSON.stringify(schema), schema);
  }
  // The reference last, so editors offer the plain forms first.
  const reference = JSON.stringify(WITH_REFERENCE);
  const list = [...seen.entries()].sort(([a], [b]) =>
    Number(a === reference) - Number(b === reference)
  )
    .map(([, schema]) => schema);
  return list.length === 1 ? list[0] : { anyOf: list };
}
