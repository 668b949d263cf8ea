/**
 * The storage backends a job file can name with FILESYSTEM_TYPE. Each backend owns its job
 * keys (`<backend>_config.ts` beside it); this registry says which keys, reader and opener
 * go with which FILESYSTEM_TYPE, and which backend a config belongs to.
 *
 * Imports go one way, so there is no circle: the backends' config modules use lib/config's
 * generic validation helpers (job_fields.ts, issues.ts, values.ts) and key vocabulary
 * (key_doc.ts), which import nothing of lib/storage; lib/config's job schema (keys.ts,
 * key_docs.ts, schema.ts, storage_config.ts, fingerprint.ts) uses this registry.
 */
import type { JobFields } from "../config/job_fields.ts";
import type { StorageKeyDoc } from "../config/key_doc.ts";
import {
  AZURE_KEY_DOCS,
  AZURE_KEYS,
  azureLocation,
  type AzureStorageConfig,
  readAzureConfig,
} from "./azure_config.ts";
import type { StorageBackend } from "./backend.ts";
import { LocalBackend } from "./local.ts";
import {
  LOCAL_KEY_DOCS,
  LOCAL_KEYS,
  localLocation,
  type LocalStorageConfig,
  readLocalConfig,
} from "./local_config.ts";
import {
  readS3Config,
  S3_KEY_DOCS,
  S3_KEYS,
  s3Location,
  type S3StorageConfig,
} from "./s3_config.ts";

/** Where a job's archive lives: a local directory, an S3 bucket or an Azure container. */
export type StorageConfig = LocalStorageConfig | S3StorageConfig | AzureStorageConfig;

export const FILESYSTEM_TYPES = ["LINUX", "S3", "AZURE"] as const;
export type FilesystemType = typeof FILESYSTEM_TYPES[number];

/**
 * What FILESYSTEM_BACKUP_DIR is to the backends: the archive root of a LINUX job, the
 * staging directory of a cloud one. Absent when it is missing or invalid (already reported).
 */
export interface StorageDirs {
  localRoot?: string;
  stagingDir?: string;
}

/**
 * One kind of storage. Its functions are declared as methods so that each kind can take its
 * own config type and still be looked up as a `StorageKind` (of any config).
 */
export interface StorageKind<C extends StorageConfig = StorageConfig> {
  /** The job keys only this kind reads: set with another FILESYSTEM_TYPE, each is an error. */
  readonly keys: readonly string[];
  /** What each of `keys` means, for docs and the job schemas; `required` is with this kind. */
  readonly docs: Readonly<Record<string, StorageKeyDoc>>;
  /** A network service: uploads are staged in FILESYSTEM_BACKUP_DIR, transient failures retried. */
  readonly remote: boolean;
  /** Reads and checks its keys; undefined when something needed is invalid (already reported). */
  read(fields: JobFields, dirs: StorageDirs): C | undefined;
  /** Where the archive is, without credentials, endpoints or staging directories. */
  location(config: C): Record<string, string>;
  /** The backend, without retries. */
  open(config: C): Promise<StorageBackend>;
}

// The cloud SDKs are imported only when a job uses them: loading them costs about 0.3 s of
// CPU in every Worker, a quarter of a short local backup.

const LOCAL: StorageKind<LocalStorageConfig> = {
  keys: LOCAL_KEYS,
  docs: LOCAL_KEY_DOCS,
  remote: false,
  read: (_fields, dirs) => readLocalConfig(dirs.localRoot),
  location: localLocation,
  open: (config) => Promise.resolve(new LocalBackend(config.root)),
};

const S3: StorageKind<S3StorageConfig> = {
  keys: S3_KEYS,
  docs: S3_KEY_DOCS,
  remote: true,
  read: (fields, dirs) => readS3Config(fields, dirs.stagingDir),
  location: s3Location,
  open: async (config) =>
    new (await import("./s3.ts")).S3Backend({
      bucket: config.bucket,
      prefix: config.prefix,
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      storageClass: config.storageClass,
      timeoutMs: config.timeoutMs,
    }),
};

const AZURE: StorageKind<AzureStorageConfig> = {
  keys: AZURE_KEYS,
  docs: AZURE_KEY_DOCS,
  remote: true,
  read: (fields, dirs) => readAzureConfig(fields, dirs.stagingDir),
  location: azureLocation,
  open: async (config) =>
    new (await import("./azure.ts")).AzureBlobBackend({
      container: config.container,
      prefix: config.prefix,
      accountUrl: config.accountUrl,
      timeoutMs: config.timeoutMs,
    }),
};

const BY_FILESYSTEM_TYPE: Record<FilesystemType, StorageKind> = { LINUX: LOCAL, S3, AZURE };

// Typed per member, so that a kind filed under another config's type does not compile.
const BY_CONFIG_TYPE: {
  [T in StorageConfig["type"]]: StorageKind<Extract<StorageConfig, { type: T }>>;
} = { local: LOCAL, s3: S3, azure: AZURE };

/** The kind of storage FILESYSTEM_TYPE `type` names. */
export function storageKind(type: FilesystemType): StorageKind {
  return BY_FILESYSTEM_TYPE[type];
}

/** The kind of storage `config` was read by, to open it or say where it is. */
export function storageKindOf(config: StorageConfig): StorageKind {
  return BY_CONFIG_TYPE[config.type];
}

/** The keys of every kind, each once (STORAGE_PREFIX is S3's and Azure's), in FILESYSTEM_TYPES order. */
export const STORAGE_KIND_KEYS: readonly string[] = [
  ...new Set(FILESYSTEM_TYPES.flatMap((type) => BY_FILESYSTEM_TYPE[type].keys)),
];

/** The docs of STORAGE_KIND_KEYS, in that order (a key that two kinds share has one doc). */
export const STORAGE_KEY_DOCS: Readonly<Record<string, StorageKeyDoc>> = Object.fromEntries(
  FILESYSTEM_TYPES.flatMap((type) => Object.entries(BY_FILESYSTEM_TYPE[type].docs)),
);
