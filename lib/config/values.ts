/**
 * Checks for plain values. Numbers and booleans are also accepted as strings, because
 * a value that comes from `${VAR}` is always a string (and the Python tool wrote "False").
 */
import type { Check } from "./job_fields.ts";
import { describeValue } from "./issues.ts";
import { suggest } from "./did_you_mean.ts";

/** A number written as a string, as a `${VAR}` value gives it. */
export const NUMBER_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;

function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && NUMBER_TEXT.test(value)) return Number(value);
  return undefined;
}

/** A whole number in [min, max]. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): Check<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return (value, at) => {
    const n = asNumber(value);
    if (n !== undefined && Number.isInteger(n) && n >= min && n <= max) return n;
    return at.fail(`expected a whole number ${range}, got ${describeValue(value)}`);
  };
}

/** A number > 0 (fractions allowed), for durations in seconds. */
export const positiveNumber: Check<number> = (value, at) => {
  const n = asNumber(value);
  if (n !== undefined && Number.isFinite(n) && n > 0) return n;
  return at.fail(`expected a number > 0, got ${describeValue(value)}`);
};

/** true or false (also the strings "true"/"false" in any case). */
export const boolean: Check<boolean> = (value, at) => {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
    return value.trim().toLowerCase() === "true";
  }
  return at.fail(`expected true or false, got ${describeValue(value)}`);
};

/** A string with something other than whitespace in it. */
export const nonEmptyString: Check<string> = (value, at) => {
  if (typeof value === "string" && value.trim() !== "") return value;
  return at.fail(`expected a non-empty string, got ${describeValue(value)}`);
};

/** One of `choices`, matched ignoring case and surrounding spaces; returns the canonical spelling. */
export function oneOf<T extends string>(choices: readonly T[]): Check<T> {
  return (value, at) => {
    if (typeof value === "string") {
      const wanted = value.trim().toLowerCase();
      const match = choices.find((c) => c.toLowerCase() === wanted);
      if (match !== undefined) return match;
    }
    const list = choices.map((c) => JSON.stringify(c)).join(", ");
    const guess = typeof value === "string" ? suggest(value.trim(), choices) : undefined;
    const hint = guess === undefined ? "" : ` (did you mean "${guess}"?)`;
    return at.fail(`expected one of ${list}, got ${describeValue(value)}${hint}`);
  };
}

/** An array whose every element passes `item`; all bad elements are reported. */
export function arrayOf<T>(item: Check<T>, what: string): Check<T[]> {
  return (value, at) => {
    if (!Array.isArray(value)) {
      return at.fail(`expected an array of ${what}, got ${describeValue(value)}`);
    }
    const out = value.map((v, i) => item(v, at.child(i)));
    return out.every((v) => v !== undefined) ? out as T[] : undefined;
  };
}

/** "host:port" (the port's range is checked apart). */
export const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

/** True for "host:port" with a port from 1 to 65535 ("[::1]:9092" for IPv6). */
export function isHostPort(text: string): boolean {
  const match = HOST_PORT.exec(text);
  return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65535;
}

/** A directory path; trailing slashes are dropped so "/tmp/" and "/tmp" are the same place. */
export const directory: Check<string> = (value, at) => {
  const text = nonEmptyString(value, at);
  if (text === undefined) return undefined;
  if (text !== text.trim()) {
    return at.fail(`leading or trailing spaces in a path: ${describeValue(value)}`);
  }
  return text.length > 1 ? text.replace(/\/+$/, "") || "/" : text;
};

/** A copy of `object` without its undefined members, so optional fields are absent, not undefined. */
export function definedOnly<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** An http(s) URL as written, before httpUrl parses it. */
export const HTTP_URL = /^\s*[Hh][Tt][Tt][Pp][Ss]?:\/\/\S+\s*$/;

/** An http(s) URL, returned without a trailing "/" so endpoints compare and join simply. */
export const httpUrl: Check<string> = (value, at) => {
  if (typeof value === "string") {
    try {
      const url = new URL(value.trim());
      if (url.protocol === "http:" || url.protocol === "https:") {
        return url.href.replace(/\/+$/, "");
      }
    } catch {
      // reported below
    }
  }
  return at.fail(`expected an http:// or https:// URL, got ${describeValue(value)}`);
};
