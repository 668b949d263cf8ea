/**
 * Field-by-field reading of the self-describing parts of the archive (chunk headers,
 * index entries), so that a damaged or foreign file fails with a message naming the
 * object and the field instead of a `TypeError` deep inside a restore.
 */

import { IntegrityError } from "../errors.ts";
import { safeIntOf } from "./format.ts";

/** Reads typed fields out of a decoded object; every failure is an `IntegrityError`. */
export class FieldReader {
  readonly #object: Record<string, unknown>;
  readonly #what: string;

  /** `what` names the thing for messages, e.g. "chunk header of orders/0/….chunk". */
  constructor(value: unknown, what: string) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new IntegrityError(`Cannot read ${what}: not a map of fields`);
    }
    this.#object = value as Record<string, unknown>;
    this.#what = what;
  }

  /** Throws the `IntegrityError` of this object with `problem`. */
  fail(problem: string): never {
    throw new IntegrityError(`Cannot read ${this.#what}: ${problem}`);
  }

  /** A safe integer no smaller than `min`. */
  int(name: string, min = Number.MIN_SAFE_INTEGER): number {
    const n = safeIntOf(this.#object[name]);
    if (n === undefined || n < min) {
      this.fail(`field "${name}" must be a safe integer >= ${min}, not ${this.#show(name)}`);
    }
    return n;
  }

  /** Like {@linkcode int}, or `null`. */
  intOrNull(name: string, min?: number): number | null {
    return this.#object[name] === null ? null : this.int(name, min);
  }

  /** A string matching `pattern` when given. */
  string(name: string, pattern?: RegExp): string {
    const value = this.#object[name];
    if (typeof value !== "string" || (pattern && !pattern.test(value))) {
      this.fail(`field "${name}" is invalid: ${this.#show(name)}`);
    }
    return value;
  }

  /** One of `choices`. */
  oneOf<T extends string>(name: string, choices: readonly T[]): T {
    const value = this.#object[name];
    if (!choices.includes(value as T)) {
      this.fail(`field "${name}" must be one of ${choices.join(", ")}, not ${this.#show(name)}`);
    }
    return value as T;
  }

  /** An array (its elements unchecked). */
  array(name: string): unknown[] {
    const value = this.#object[name];
    if (!Array.isArray(value)) this.fail(`field "${name}" must be an array`);
    return value;
  }

  /** The raw value of a field. */
  raw(name: string): unknown {
    return this.#object[name];
  }

  #show(name: string): string {
    const value = this.#object[name];
    return typeof value === "bigint" ? `${value}` : JSON.stringify(value) ?? String(value);
  }
}

/** The fields that a chunk header and an index entry both summarize a chunk with. */
export interface ChunkSummary {
  from: number;
  to: number;
  firstOffset: number | null;
  lastOffset: number | null;
  count: number;
  minTimestamp: number | null;
  maxTimestamp: number | null;
}

/** Checks that a summary is self-consistent: offsets inside [from, to], null iff empty. */
export function checkSummary(s: ChunkSummary, fail: (problem: string) => never): void {
  if (s.to < s.from) fail(`range ${s.from}-${s.to} is empty`);
  const nulls =
    [s.firstOffset, s.lastOffset, s.minTimestamp, s.maxTimestamp].filter((v) => v === null).length;
  if (s.count === 0 ? nulls !== 4 : nulls !== 0) {
    fail(
      "firstOffset, lastOffset, minTimestamp and maxTimestamp must be null exactly when count is 0",
    );
  }
  if (s.count === 0) return;
  const first = s.firstOffset!;
  const last = s.lastOffset!;
  if (first < s.from || last > s.to || first > last) {
    fail(`records ${first}-${last} are not inside the range ${s.from}-${s.to}`);
  }
  if (s.count > last - first + 1) fail(`count ${s.count} does not fit in offsets ${first}-${last}`);
  if (s.minTimestamp! > s.maxTimestamp!) fail("minTimestamp is greater than maxTimestamp");
}
