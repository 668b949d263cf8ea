/** Checks for log levels and points in time. */
import { describeValue } from "./issues.ts";
import type { Check } from "./job_fields.ts";
import { LogLevel } from "../log.ts";

const LEVEL_NAMES: Record<string, number> = { ...LogLevel, WARN: LogLevel.WARNING };
const LEVEL_NUMBERS = new Set<number>(Object.values(LogLevel));

/** The names LOG_LEVEL accepts (in any case), and its numbers. */
export const LOG_LEVEL_NAMES: readonly string[] = Object.keys(LEVEL_NAMES);
export const LOG_LEVEL_NUMBERS: readonly number[] = [...LEVEL_NUMBERS];

/** LOG_LEVEL: Python's numbers 10/20/30/40 (the Python tool's form) or DEBUG/INFO/WARNING/WARN/ERROR. */
export const logLevel: Check<number> = (value, at) => {
  const text = typeof value === "string" ? value.trim() : value;
  const number = typeof text === "string" && /^\d+$/.test(text) ? Number(text) : text;
  if (typeof number === "number" && LEVEL_NUMBERS.has(number)) return number;
  if (typeof text === "string" && Object.hasOwn(LEVEL_NAMES, text.toUpperCase())) {
    return LEVEL_NAMES[text.toUpperCase()];
  }
  return at.fail(
    `expected one of 10, 20, 30, 40, "DEBUG", "INFO", "WARNING", "WARN", "ERROR", got ${
      describeValue(value)
    }`,
  );
};

/** An ISO-8601 date or time ("2024-05-01", "2024-05-01T12:00:00Z"), before range checks. */
export const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds of an ISO-8601 text, or a reason it is not one. */
function parseIso(text: string): number | string {
  const m = ISO_TIME.exec(text);
  if (!m) return "not an ISO-8601 date or time";
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", zone] = m;
  // A time without a zone would depend on the machine's time zone: refuse to guess.
  if (m[4] !== undefined && zone === undefined) return 'add a zone ("Z" or an offset like +02:00)';
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(frac.padEnd(3, "0")));
  const date = new Date(ms);
  if (
    date.getUTCFullYear() !== +y || date.getUTCMonth() !== +mo - 1 || date.getUTCDate() !== +d ||
    +h > 23 || +mi > 59 || +s > 59
  ) return "no such date or time";
  if (zone === undefined || zone.toUpperCase() === "Z") return ms;
  const offset = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
  const minutes = (Number(offset[2]) * 60 + Number(offset[3])) * (offset[1] === "-" ? -1 : 1);
  return ms - minutes * 60_000;
}

/**
 * A point in time as epoch milliseconds: a whole number of milliseconds, or an
 * ISO-8601 text ("2024-05-01", "2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00").
 */
export const timestamp: Check<number> = (value, at) => {
  if (typeof value === "number" || (typeof value === "string" && /^\s*\d+\s*$/.test(value))) {
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= 0) return n;
  } else if (typeof value === "string") {
    const parsed = parseIso(value.trim());
    if (typeof parsed === "number") return parsed;
    return at.fail(
      `expected epoch milliseconds or an ISO-8601 time, got ${describeValue(value)}: ${parsed}`,
    );
  }
  return at.fail(`expected epoch milliseconds or an ISO-8601 time, got ${describeValue(value)}`);
};
