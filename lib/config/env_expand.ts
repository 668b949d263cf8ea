/**
 * `${VAR}` references in job-file strings, expanded from the environment. An unset
 * variable is an error, never an empty string: a silently empty broker list or bucket
 * name fails much later and much less clearly. `$${` writes a literal `${`.
 */
import type { At } from "./issues.ts";

/** Looks up one environment variable; undefined when it is not set. */
export type EnvLookup = (name: string) => string | undefined;

/** The process environment (needs --allow-env). */
export const processEnv: EnvLookup = (name) => Deno.env.get(name);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expands every reference in one string. Records each problem at `at` and returns
 * undefined when there was any. Messages name variables, never their values.
 */
export function expandString(text: string, at: At, env: EnvLookup): string | undefined {
  let out = "";
  let ok = true;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      out += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      out += text[i++];
      continue;
    }
    const end = text.indexOf("}", i + 2);
    const name = end < 0 ? "" : text.slice(i + 2, end);
    if (end < 0 || !NAME.test(name)) {
      at.fail(
        end < 0
          ? 'unterminated "${" (write "$${" for a literal "${")'
          : `invalid variable name ${JSON.stringify(name)} in "\${...}" (letters, digits and _)`,
      );
      return undefined;
    }
    let value: string | undefined;
    let problem: string | undefined;
    try {
      value = env(name);
      if (value === undefined) problem = `environment variable ${name} is not set`;
    } catch (error) {
      problem = `cannot read environment variable ${name}: ${(error as Error).message}`;
    }
    if (problem !== undefined) {
      at.fail(problem);
      ok = false;
    } else {
      out += value;
    }
    i = end + 1;
  }
  return ok ? out : undefined;
}

/**
 * Expands references in every string inside `value` (array elements and object member
 * values at any depth; object keys are left as written). `ok` is false when any failed.
 */
export function expandEnv(value: unknown, at: At, env: EnvLookup): { ok: boolean; value: unknown } {
  if (typeof value === "string") {
    const expanded = expandString(value, at, env);
    return expanded === undefined ? { ok: false, value } : { ok: true, value: expanded };
  }
  if (Array.isArray(value)) {
    const results = value.map((item, i) => expandEnv(item, at.child(i), env));
    return { ok: results.every((r) => r.ok), value: results.map((r) => r.value) };
  }
  if (value !== null && typeof value === "object") {
    let ok = true;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const result = expandEnv(item, at.child(key), env);
      ok &&= result.ok;
      Object.defineProperty(out, key, { value: result.value, enumerable: true, writable: true });
    }
    return { ok, value: out };
  }
  return { ok: true, value };
}
