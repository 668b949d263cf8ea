/** Checks for storage-shaped values: URLs, bucket and container names, key prefixes. */
import { describeValue } from "./issues.ts";
import type { Check } from "./job_fields.ts";
import { isHostPort } from "./kafka_values.ts";

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

/**
 * MINIO_URL as the Python tool wrote it ("localhost:9000", a host without scheme) or a full
 * URL. Returns the URL, with the scheme from `secure` when the value has none.
 */
export function minioEndpoint(secure: boolean): Check<string> {
  return (value, at) => {
    if (typeof value === "string" && value.includes("://")) return httpUrl(value, at);
    if (
      typeof value === "string" &&
      (isHostPort(value.trim()) || /^[A-Za-z0-9_.-]+$/.test(value.trim()))
    ) {
      return `${secure ? "https" : "http"}://${value.trim()}`;
    }
    return at.fail(`expected host[:port] or an http(s) URL, got ${describeValue(value)}`);
  };
}

/** A bucket name: S3's rules are checked by S3 itself; here only what can never work. */
export const bucketName: Check<string> = (value, at) => {
  if (typeof value === "string" && /^[A-Za-z0-9._-]{3,255}$/.test(value)) return value;
  return at.fail(
    `expected a bucket name (3 or more of letters, digits, ".", "_", "-"), got ${
      describeValue(value)
    }`,
  );
};

/** An Azure container name: 3-63 lowercase letters, digits and single hyphens. */
export const containerName: Check<string> = (value, at) => {
  if (typeof value === "string" && /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(value)) {
    return value;
  }
  return at.fail(
    `expected a container name (3-63 lowercase letters, digits and single "-", starting and ending ` +
      `with a letter or digit), got ${describeValue(value)}`,
  );
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

/** S3 storage classes; the archive-only ones are here too, S3 itself refuses what it lacks. */
export const S3_STORAGE_CLASSES = [
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
  "OUTPOSTS",
  "EXPRESS_ONEZONE",
] as const;

/** An AWS region name such as "eu-west-1". */
export const region: Check<string> = (value, at) => {
  if (typeof value === "string" && /^[a-z0-9-]+$/.test(value)) return value;
  return at.fail(`expected a region name like "eu-west-1", got ${describeValue(value)}`);
};
