/** Command-line overrides of job-file settings, validated exactly like the file's values. */
import type { Issues } from "./issues.ts";
import type { Check } from "./job_fields.ts";

/**
 * The checked override `value` for the setting `name`, or undefined when not given.
 * Problems are reported as "command-line <name>" so they are not blamed on the file.
 */
export function readOverride<T>(
  issues: Issues,
  name: string,
  value: unknown,
  check: Check<T>,
): T | undefined {
  if (value === undefined) return undefined;
  return check(value, issues.at(`command-line ${name}`));
}
