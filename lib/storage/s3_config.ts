/**
 * The job keys of the S3 backend (FILESYSTEM_TYPE "S3"), including the Python tool's MinIO
 * keys, and the config they give.
 */
import { describeValue } from "../config/issues.ts";
import type { Check, JobFields } from "../config/job_fields.ts";
import { choice, flag, matching, type StorageKeyDoc, text } from "../config/key_doc.ts";
import { boolean, definedOnly, isHostPort, oneOf } from "../config/values.ts";
import {
  CLOUD_KEY_DOCS,
  CLOUD_KEYS,
  HTTP_URL,
  httpUrl,
  readPrefix,
  readTimeoutMs,
} from "./cloud_config.ts";

/** The keys only an S3 job reads. */
export const S3_KEYS = [
  "BUCKET_NAME",
  "MINIO_URL",
  "IS_MINIO_SECURE",
  "S3_ENDPOINT",
  "S3_REGION",
  "S3_FORCE_PATH_STYLE",
  "S3_STORAGE_CLASS",
  ...CLOUD_KEYS,
] as const;

/** The archive is in an S3 (or S3-compatible) bucket; credentials come from the AWS SDK chain. */
export interface S3StorageConfig {
  type: "s3";
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing "/"; "" for none. */
  prefix: string;
  /** Custom endpoint URL (MinIO, moto, ...); undefined means AWS itself. */
  endpoint?: string;
  region?: string;
  forcePathStyle: boolean;
  storageClass?: string;
  /** STORAGE_TIMEOUT_SECONDS, in milliseconds. */
  timeoutMs: number;
  /** Local working directory (FILESYSTEM_BACKUP_DIR). */
  stagingDir: string;
}

/**
 * MINIO_URL as the Python tool wrote it ("localhost:9000", a host without scheme) or a full
 * URL. Returns the URL, with the scheme from `secure` when the value has none.
 */
function minioEndpoint(secure: boolean): Check<string> {
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
const BUCKET_NAME = /^[A-Za-z0-9._-]{3,255}$/;

const bucketName: Check<string> = (value, at) => {
  if (typeof value === "string" && BUCKET_NAME.test(value)) return value;
  return at.fail(
    `expected a bucket name (3 or more of letters, digits, ".", "_", "-"), got ${
      describeValue(value)
    }`,
  );
};

/** S3 storage classes; the archive-only ones are here too, S3 itself refuses what it lacks. */
const S3_STORAGE_CLASSES = [
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
const REGION = /^[a-z0-9-]+$/;

const region: Check<string> = (value, at) => {
  if (typeof value === "string" && REGION.test(value)) return value;
  return at.fail(`expected a region name like "eu-west-1", got ${describeValue(value)}`);
};

/** What each S3 key means, for docs and the job schemas (key_doc.ts). */
export const S3_KEY_DOCS: Record<typeof S3_KEYS[number], StorageKeyDoc> = {
  BUCKET_NAME: {
    description: "the S3 bucket of the archive",
    value: matching(BUCKET_NAME),
    required: true,
  },
  MINIO_URL: {
    description:
      'an S3-compatible endpoint as "host[:port]" (the Python tool\'s MinIO key) or an http(s) URL',
    value: text,
    excludes: ["S3_ENDPOINT"],
  },
  IS_MINIO_SECURE: {
    description: "https (true) or http (false) for a MINIO_URL without a scheme",
    value: flag,
    default: true,
    requires: ["MINIO_URL"],
  },
  S3_ENDPOINT: {
    description: "the URL of an S3-compatible endpoint (default: AWS itself)",
    value: matching(HTTP_URL),
    excludes: ["MINIO_URL"],
  },
  S3_REGION: {
    description: "the bucket's region, like \"eu-west-1\" (default: the AWS SDK's configuration)",
    value: matching(REGION),
  },
  S3_FORCE_PATH_STYLE: {
    description:
      "path-style addressing (the bucket in the path, not the host name); default: true with MINIO_URL or S3_ENDPOINT, else false",
    value: flag,
  },
  S3_STORAGE_CLASS: {
    description: "storage class of new objects (default: the bucket's)",
    value: choice(S3_STORAGE_CLASSES),
  },
  ...CLOUD_KEY_DOCS,
};

/**
 * The S3 storage of a job whose FILESYSTEM_BACKUP_DIR is `stagingDir`. Every key is checked
 * even without a staging directory; undefined when the bucket or the directory is missing
 * or invalid (already reported).
 */
export function readS3Config(
  fields: JobFields,
  stagingDir: string | undefined,
): S3StorageConfig | undefined {
  const bucket = fields.required("BUCKET_NAME", bucketName, ' (FILESYSTEM_TYPE is "S3")');
  fields.onlyWhen("IS_MINIO_SECURE", fields.has("MINIO_URL"), "MINIO_URL is set");
  if (fields.has("MINIO_URL") && fields.has("S3_ENDPOINT")) {
    fields.at("S3_ENDPOINT").fail("give either MINIO_URL or S3_ENDPOINT, not both");
  }
  // The Python tool's MinIO client defaulted to https; "localhost:9000" needs IS_MINIO_SECURE false.
  const secure = fields.withDefault("IS_MINIO_SECURE", boolean, true);
  const endpoint = fields.optional("MINIO_URL", minioEndpoint(secure)) ??
    fields.optional("S3_ENDPOINT", httpUrl);
  // S3-compatible servers rarely have the wildcard DNS virtual-hosted style needs.
  const customEndpoint = fields.has("MINIO_URL") || fields.has("S3_ENDPOINT");
  const config = definedOnly<S3StorageConfig>({
    type: "s3",
    bucket: bucket ?? "",
    prefix: readPrefix(fields),
    endpoint,
    region: fields.optional("S3_REGION", region),
    forcePathStyle: fields.withDefault("S3_FORCE_PATH_STYLE", boolean, customEndpoint),
    storageClass: fields.optional("S3_STORAGE_CLASS", oneOf(S3_STORAGE_CLASSES)),
    timeoutMs: readTimeoutMs(fields),
    stagingDir: stagingDir ?? "",
  });
  return bucket === undefined || stagingDir === undefined ? undefined : config;
}

/** Where an S3 archive is, for the restore fingerprint: not the endpoint, region or staging. */
export function s3Location(config: S3StorageConfig): Record<string, string> {
  return { type: "s3", bucket: config.bucket, prefix: config.prefix };
}
