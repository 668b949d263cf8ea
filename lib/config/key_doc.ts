/**
 * The vocabulary of the job-key table (key_docs.ts and each storage backend's key docs):
 * what a key's value may be, as a small typed subset of JSON Schema, and what else a
 * reader or an editor should know about the key.
 *
 * Values are described as the parsers check them after `${VAR}` expansion; schema.ts adds
 * the forms a file may also write (a `${VAR}` in any string, numbers and booleans as
 * strings). Generic like job_fields.ts: lib/storage imports it, so it imports nothing of it.
 */

/** The two kinds of job file. */
export type JobKind = "backup" | "restore";

/** What a value may be (after `${VAR}` expansion). */
export type ValueDoc =
  | { readonly type: "boolean" }
  | {
    readonly type: "integer";
    readonly minimum?: number;
    readonly maximum?: number;
    readonly enum?: readonly number[];
  }
  | { readonly type: "number"; readonly exclusiveMinimum: number }
  | {
    readonly type: "string";
    readonly enum?: readonly string[];
    /** The parser matches `enum` ignoring case and surrounding spaces (values.ts oneOf). */
    readonly ignoreCase?: true;
    readonly pattern?: string;
    readonly minLength?: number;
  }
  | { readonly type: "array"; readonly items: ValueDoc; readonly minItems?: number }
  | {
    readonly type: "object";
    readonly additionalProperties: ValueDoc;
    readonly minProperties?: number;
    /** Member names are used as written (never `${VAR}`-expanded). */
    readonly propertyNames?: { readonly pattern: string };
  }
  | { readonly type: "null" }
  | { readonly anyOf: readonly ValueDoc[] };

/** What the table says about one key, beside its value. */
export interface KeyFacts {
  /** One line for a reader: what the key does, and a default that is not a plain value. */
  readonly description: string;
  readonly value: ValueDoc;
  /** The value used when the key is absent, as written in a file; absent when none is fixed. */
  readonly default?: unknown;
  /** The parser refuses a job without it (for a storage key: a job of that storage). */
  readonly required?: true;
  /**
   * A secret: the file may only hold a `${VAR}` reference to it (secrets.ts); for an
   * object, each member value is one.
   */
  readonly secret?: true;
  /** Keys that must be set too: the parser refuses this key without them. */
  readonly requires?: readonly string[];
  /** Keys the parser refuses together with this one. */
  readonly excludes?: readonly string[];
}

/** A key of a storage backend: set in both kinds of job, with that backend only. */
export type StorageKeyDoc = KeyFacts;

/** A job key: which kinds of job accept it, and per kind what differs (RUN_MODE). */
export interface KeyDoc extends KeyFacts {
  readonly kinds: readonly JobKind[];
  /** Only with a remote storage (S3, AZURE): the parser refuses it with LINUX. */
  readonly remoteOnly?: true;
  readonly byKind?: Partial<Record<JobKind, Partial<KeyFacts>>>;
}

/** The keys only one kind of job has (backup_key_docs.ts, restore_key_docs.ts). */
export type KindKeyDocs = Record<string, Omit<KeyDoc, "kinds">>;

// Shorthands for the table, named after the parsers' checks in values.ts.

export const flag: ValueDoc = { type: "boolean" };

/** A whole number in [minimum, maximum] (wholeNumber). */
export function whole(minimum: number, maximum?: number): ValueDoc {
  return maximum === undefined
    ? { type: "integer", minimum }
    : { type: "integer", minimum, maximum };
}

/** A number > 0, for durations in seconds (positiveNumber). */
export const positive: ValueDoc = { type: "number", exclusiveMinimum: 0 };

/** A string with something other than whitespace in it (nonEmptyString). */
export const text: ValueDoc = { type: "string", pattern: "\\S" };

/** One of `choices`, in any case (oneOf). */
export function choice(choices: readonly string[]): ValueDoc {
  return { type: "string", enum: choices, ignoreCase: true };
}

/** Exactly `value`, as written. */
export function exactly(value: string): ValueDoc {
  return { type: "string", enum: [value] };
}

/** A string that `regex` (anchored, without flags) matches. */
export function matching(regex: RegExp): ValueDoc {
  return { type: "string", pattern: source(regex) };
}

/** Like `matching`, with spaces allowed around it (for checks that trim the value first). */
export function matchingTrimmed(regex: RegExp): ValueDoc {
  const inner = source(regex).slice(1, -1);
  return { type: "string", pattern: `^\\s*(?:${inner})\\s*$` };
}

export function listOf(items: ValueDoc, minItems?: number): ValueDoc {
  return minItems === undefined ? { type: "array", items } : { type: "array", items, minItems };
}

/** An object whose member values are `values`: non-empty, or with names `names` matches, if told. */
export function mapOf(
  values: ValueDoc,
  options: { nonEmpty?: boolean; names?: RegExp } = {},
): ValueDoc {
  return {
    type: "object",
    additionalProperties: values,
    ...(options.nonEmpty ? { minProperties: 1 } : {}),
    ...(options.names ? { propertyNames: { pattern: source(options.names) } } : {}),
  };
}

export function either(...docs: ValueDoc[]): ValueDoc {
  return { anyOf: docs };
}

// JSON Schema patterns are ECMAScript regexes without flags: refuse one whose flags would be lost.
function source(regex: RegExp): string {
  if (regex.flags !== "" || !regex.source.startsWith("^") || !regex.source.endsWith("$")) {
    throw new TypeError(`a key's pattern must be anchored and without flags: ${regex}`);
  }
  return regex.source;
}
