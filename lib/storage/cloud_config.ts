/**
 * What the job keys of both cloud backends (S3 and Azure) share: STORAGE_PREFIX,
 * STORAGE_TIMEOUT_SECONDS, and endpoint URLs. Their FILESYSTEM_BACKUP_DIR is a local
 * staging directory, not the archive.
 */
import { describeValue } from "../config/issues.ts";
import type { Check, JobFields } from "../config/job_fields.ts";
import { matching, positive, type StorageKeyDoc } from "../config/key_doc.ts";
import { positiveNumber } from "../config/values.ts";
// Where the S3 and Azure endpoint checks take them from (a URL is no storage concept).
export { HTTP_URL, httpUrl } from "../config/values.ts";

/** The keys every cloud backend reads (spread into each one's key list). */
export const CLOUD_KEYS = ["STORAGE_PREFIX", "STORAGE_TIMEOUT_SECONDS"] as const;

/** STORAGE_TIMEOUT_SECONDS's default: as long as boto3 waits for a silent connection. */
export const DEFAULT_STORAGE_TIMEOUT_SECONDS = 60;

/** What a STORAGE_PREFIX may be (see storagePrefix): relative, no ".", ".." or empty segments. */
const PREFIX = /^(?!\/)(?:(?!\.\.?(?:\/|$))[^/]+(?:\/(?!\.\.?(?:\/|$))[^/]+)*)?\/*$/;

/** The docs of CLOUD_KEYS, spread into each cloud backend's. */
export const CLOUD_KEY_DOCS: Record<typeof CLOUD_KEYS[number], StorageKeyDoc> = {
  STORAGE_PREFIX: {
    description: 'key prefix inside the bucket or container, like "prod/cluster-1"',
    value: matching(PREFIX),
    default: "",
  },
  STORAGE_TIMEOUT_SECONDS: {
    description:
      "a storage request not answered this long, or a download whose bytes stop arriving this long, is abandoned and retried (uploads go in requests of at most 8 MiB)",
    value: positive,
    default: DEFAULT_STORAGE_TIMEOUT_SECONDS,
  },
};

/**
 * STORAGE_PREFIX: "dir/sub" under which the archive is kept. Trailing "/" is dropped;
 * "..", "." and empty segments are refused so a prefix can never point elsewhere.
 */
export const storagePrefix: Check<string> = (value, at) => {
  if (typeof value !== "string") {
    return at.fail(`expected a key prefix, got ${describeValue(value)}`);
  }
  const prefix = value.replace(/\/+$/, "");
  if (value.startsWith("/")) return at.fail(`must not start with "/", got ${describeValue(value)}`);
  if (prefix !== "" && prefix.split("/").some((s) => s === "" || s === "." || s === "..")) {
    return at.fail(`must not contain "..", "." or empty segments, got ${describeValue(value)}`);
  }
  return prefix;
};

/** STORAGE_TIMEOUT_SECONDS in milliseconds (the default when absent or invalid, which is reported). */
export function readTimeoutMs(fields: JobFields): number {
  return fields.withDefault(
    "STORAGE_TIMEOUT_SECONDS",
    positiveNumber,
    DEFAULT_STORAGE_TIMEOUT_SECONDS,
  ) * 1000;
}

/** STORAGE_PREFIX, "" when absent (or invalid, which is reported). */
export function readPrefix(fields: JobFields): string {
  return fields.withDefault("STORAGE_PREFIX", storagePrefix, "");
}
