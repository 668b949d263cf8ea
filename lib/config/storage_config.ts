/** Where a job's archive lives: a local directory, an S3 bucket or an Azure container. */
import type { JobFields } from "./job_fields.ts";
import {
  bucketName,
  containerName,
  httpUrl,
  minioEndpoint,
  region,
  S3_STORAGE_CLASSES,
  storagePrefix,
} from "./storage_values.ts";
import { boolean, definedOnly, oneOf } from "./values.ts";

export const FILESYSTEM_TYPES = ["LINUX", "S3", "AZURE"] as const;
export type FilesystemType = typeof FILESYSTEM_TYPES[number];

/** The archive is a directory tree under `root`. */
export interface LocalStorageConfig {
  type: "local";
  root: string;
}

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
  /** Local working directory (FILESYSTEM_BACKUP_DIR). */
  stagingDir: string;
}

/** The archive is in an Azure Blob container; credentials come from the environment. */
export interface AzureStorageConfig {
  type: "azure";
  container: string;
  prefix: string;
  accountUrl?: string;
  stagingDir: string;
}

export type StorageConfig = LocalStorageConfig | S3StorageConfig | AzureStorageConfig;

const S3_KEYS = [
  "BUCKET_NAME",
  "MINIO_URL",
  "IS_MINIO_SECURE",
  "S3_ENDPOINT",
  "S3_REGION",
  "S3_FORCE_PATH_STYLE",
  "S3_STORAGE_CLASS",
];
const AZURE_KEYS = ["CONTAINER_NAME", "AZURE_ACCOUNT_URL"];

/** FILESYSTEM_TYPE (default LINUX); undefined when the value is invalid (already reported). */
export function readFilesystemType(fields: JobFields): FilesystemType | undefined {
  if (!fields.has("FILESYSTEM_TYPE")) return "LINUX";
  return fields.optional("FILESYSTEM_TYPE", oneOf(FILESYSTEM_TYPES));
}

/**
 * Reports keys that belong to a storage type other than `type` (they would be silently
 * ignored, e.g. a BUCKET_NAME with the default LINUX type backs up to the local disk).
 * `extraCloudKeys` are further keys only meaningful for S3 or AZURE.
 */
export function checkStorageKeys(
  fields: JobFields,
  type: FilesystemType,
  extraCloudKeys: string[] = [],
) {
  const typeIs = (t: string) => `FILESYSTEM_TYPE is "${t}" (it is "${type}")`;
  for (const key of S3_KEYS) fields.onlyWhen(key, type === "S3", typeIs("S3"));
  for (const key of AZURE_KEYS) fields.onlyWhen(key, type === "AZURE", typeIs("AZURE"));
  for (const key of ["STORAGE_PREFIX", ...extraCloudKeys]) {
    fields.onlyWhen(key, type !== "LINUX", `FILESYSTEM_TYPE is "S3" or "AZURE" (it is "LINUX")`);
  }
}

function readS3(fields: JobFields, stagingDir: string): S3StorageConfig | undefined {
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
    prefix: fields.withDefault("STORAGE_PREFIX", storagePrefix, ""),
    endpoint,
    region: fields.optional("S3_REGION", region),
    forcePathStyle: fields.withDefault("S3_FORCE_PATH_STYLE", boolean, customEndpoint),
    storageClass: fields.optional("S3_STORAGE_CLASS", oneOf(S3_STORAGE_CLASSES)),
    stagingDir,
  });
  return bucket === undefined ? undefined : config;
}

function readAzure(fields: JobFields, stagingDir: string): AzureStorageConfig | undefined {
  const container = fields.required(
    "CONTAINER_NAME",
    containerName,
    ' (FILESYSTEM_TYPE is "AZURE")',
  );
  const config = definedOnly<AzureStorageConfig>({
    type: "azure",
    container: container ?? "",
    prefix: fields.withDefault("STORAGE_PREFIX", storagePrefix, ""),
    accountUrl: fields.optional("AZURE_ACCOUNT_URL", httpUrl),
    stagingDir,
  });
  return container === undefined ? undefined : config;
}

/**
 * The storage of a job of `type`: `localRoot` is the archive root for LINUX, `stagingDir`
 * the working directory for S3/AZURE (both come from FILESYSTEM_BACKUP_DIR). Undefined
 * when something needed is invalid (already reported).
 */
export function readStorage(
  fields: JobFields,
  type: FilesystemType,
  dirs: { localRoot?: string; stagingDir?: string },
): StorageConfig | undefined {
  if (type === "LINUX") {
    return dirs.localRoot === undefined ? undefined : { type: "local", root: dirs.localRoot };
  }
  const stagingDir = dirs.stagingDir ?? "";
  const config = type === "S3" ? readS3(fields, stagingDir) : readAzure(fields, stagingDir);
  return dirs.stagingDir === undefined ? undefined : config;
}
