/**
 * Which storage failures are worth another try: an error of this tool that says so, or a
 * network hiccup of the SDKs' HTTP stacks. The backends add their services' own error
 * names and statuses (s3.ts, azure.ts).
 */

import { BackupToolError } from "../errors.ts";

// Error codes of Node sockets, undici and DNS that mean "the network hiccupped", not "you are wrong".
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ESOCKETTIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

// Deno's own I/O error classes with the same meaning.
const TRANSIENT_DENO_ERRORS: (new (...args: never[]) => Error)[] = [
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.TimedOut,
  Deno.errors.BrokenPipe,
  Deno.errors.Interrupted,
];

/**
 * True when trying again could succeed: a `BackupToolError` whose `retriable` is set,
 * or a known transient network error. Programming errors (`TypeError`, `RangeError`, ...)
 * and every other error are final.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof BackupToolError) return error.retriable;
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_DENO_ERRORS.some((cls) => error instanceof cls)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && TRANSIENT_CODES.has(code);
}
