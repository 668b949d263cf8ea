/** Reading a job file from disk into its top-level JSON object. */
import { describeValue, JobFileError } from "./issues.ts";
import { JsonSyntaxError, parseJson } from "./json_parse.ts";

/** Why a file could not be read, in words an operator acts on. */
function readFailure(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "file not found";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return "no read permission (run with --allow-read)";
  if (error instanceof Deno.errors.IsADirectory) return "is a directory, not a file";
  if (error instanceof TypeError) return "not UTF-8 text";
  return (error as Error).message;
}

/**
 * Parses the text of a job file. Throws JobFileError naming `file`, and line and column
 * for invalid JSON, or `$` when the top level is not an object.
 */
export function parseJobText(file: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new JobFileError(file, [{ path: "", message: `invalid JSON: ${error.message}` }]);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new JobFileError(file, [{
      path: "$",
      message: `expected an object of settings at the top level, got ${describeValue(value)}`,
    }]);
  }
  return value as Record<string, unknown>;
}

/** Reads and parses the job file at `path`; every failure is a JobFileError naming it. */
export async function readJobFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    // fatal decoding: a binary file is reported as such instead of parsed as mojibake.
    text = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(path));
  } catch (error) {
    throw new JobFileError(path, [{
      path: "",
      message: `cannot read the job file: ${readFailure(error)}`,
    }]);
  }
  return parseJobText(path, text);
}
