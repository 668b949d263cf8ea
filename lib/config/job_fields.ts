/**
 * The validated view of one job file's keys: unknown keys reported, secrets checked,
 * `${VAR}` expanded, and typed access that records problems instead of throwing.
 *
 * Generic: it does not import the list of job keys (keys.ts), the caller hands it the check.
 * That list is built from lib/storage's registry, whose backends read their keys with this
 * class, so importing it here would close an import circle.
 */
import { type EnvLookup, expandEnv } from "./env_expand.ts";
import { type At, Issues } from "./issues.ts";
import { checkSecretMap, checkSecretReference, SECRET_KEYS, SECRET_MAP_KEYS } from "./secrets.ts";

/** Validates one value: returns it converted, or records a problem at `at` and returns undefined. */
export type Check<T> = (value: unknown, at: At) => T | undefined;

/** Records a problem for each key of `raw` the job does not accept; returns the accepted ones. */
export type KeyCheck = (raw: Record<string, unknown>, issues: Issues) => string[];

/** Typed access to the keys of one job file. */
export class JobFields {
  readonly issues = new Issues();
  readonly #values = new Map<string, unknown>();
  // Keys present but already reported (bad ${VAR}, literal secret): not checked again.
  readonly #failed = new Set<string>();
  readonly #keyOrder: string[];

  constructor(
    readonly file: string,
    raw: Record<string, unknown>,
    checkKeys: KeyCheck,
    env: EnvLookup,
  ) {
    this.#keyOrder = Object.keys(raw);
    for (const key of checkKeys(raw, this.issues)) {
      const at = this.at(key);
      const secret = Object.hasOwn(SECRET_KEYS, key) &&
        !checkSecretReference(raw[key], at, SECRET_KEYS[key]);
      const secrets = Object.hasOwn(SECRET_MAP_KEYS, key) &&
        !checkSecretMap(raw[key], at, SECRET_MAP_KEYS[key]);
      if (secret || secrets) {
        this.#failed.add(key);
        continue;
      }
      const expanded = expandEnv(raw[key], at, env);
      if (expanded.ok) this.#values.set(key, expanded.value);
      else this.#failed.add(key);
    }
  }

  /** The position of `key` for messages about it. */
  at(key: string): At {
    return this.issues.at("$").child(key);
  }

  /** True when the file sets `key`, even to an invalid value. */
  has(key: string): boolean {
    return this.#values.has(key) || this.#failed.has(key);
  }

  /** The checked value of `key`; undefined when absent or invalid (already reported). */
  optional<T>(key: string, check: Check<T>): T | undefined {
    return this.#values.has(key) ? check(this.#values.get(key), this.at(key)) : undefined;
  }

  /** Like `optional`, and a missing key is itself a problem. */
  required<T>(key: string, check: Check<T>, why = ""): T | undefined {
    if (!this.has(key)) return this.at(key).fail(`missing required key${why}`);
    return this.optional(key, check);
  }

  /** The checked value of `key`, or `fallback` when absent (or invalid, which is reported). */
  withDefault<T>(key: string, check: Check<T>, fallback: T): T {
    return this.optional(key, check) ?? fallback;
  }

  /** Throws every recorded problem (JobFileError), in the order of the keys in the file. */
  throwIfAny(): void {
    this.issues.throwIfAny(this.file, this.#keyOrder);
  }

  /** Reports `key` as misplaced when it is set although `applies` is false. */
  onlyWhen(key: string, applies: boolean, condition: string): void {
    if (!applies && this.has(key)) this.at(key).fail(`only used when ${condition}`);
  }
}
