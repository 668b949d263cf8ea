/**
 * The one table of job keys: every key of both kinds of job file, in the order the key
 * lists (keys.ts) and the schemas (schema.ts) give them, with its value, default and
 * description. Storage keys come from lib/storage's registry, beside their backends.
 * The parsers keep their own checks and messages; test/unit/key_docs_test.ts checks that
 * the table's defaults, choices and required keys are the parsers'.
 */
import { FILESYSTEM_TYPES, STORAGE_KEY_DOCS } from "../storage/registry.ts";
import { BACKUP_KEY_DOCS } from "./backup_key_docs.ts";
import { RETENTION_KEY_DOCS } from "./retention_config.ts";
import { BACKUP_RUN_MODES, RESTORE_RUN_MODES } from "./choices.ts";
import { SASL_MECHANISMS } from "./kafka_config.ts";
import {
  choice,
  either,
  flag,
  type JobKind,
  type KeyDoc,
  type KeyFacts,
  type KindKeyDocs,
  listOf,
  matchingTrimmed,
  positive,
  text,
  type ValueDoc,
  whole,
} from "./key_doc.ts";
import { RESTORE_KEY_DOCS } from "./restore_key_docs.ts";
import { OPERATIONS_KEY_DOCS, RESTORE_OPERATIONS_KEY_DOCS } from "./operations_config.ts";
import { LOG_LEVEL_NAMES, LOG_LEVEL_NUMBERS } from "./time_values.ts";
import { HOST_PORT } from "./values.ts";

const BOTH: readonly JobKind[] = ["backup", "restore"];

const hostPort = HOST_PORT.source.slice(1, -1);

/** BOOTSTRAP_SERVERS: "a:9092,b:9092" (entries trimmed) or an array of "host:port". */
const brokers: ValueDoc = either(
  { type: "string", pattern: `^\\s*${hostPort}\\s*(?:,\\s*${hostPort}\\s*)*$` },
  listOf(matchingTrimmed(HOST_PORT), 1),
);

const KAFKA: Record<string, KeyFacts> = {
  BOOTSTRAP_SERVERS: {
    description: '"host:port,host:port" (or an array of "host:port") of the Kafka cluster',
    value: brokers,
    required: true,
  },
  KAFKA_SSL: { description: "connect to Kafka with TLS", value: flag, default: false },
  KAFKA_SSL_CA_FILE: {
    description: "PEM file of the CA of the brokers' certificates (default: the system CAs)",
    value: text,
    requires: ["KAFKA_SSL"],
  },
  KAFKA_SSL_CERT_FILE: {
    description: "PEM file of the client certificate (with KAFKA_SSL_KEY_FILE)",
    value: text,
    requires: ["KAFKA_SSL", "KAFKA_SSL_KEY_FILE"],
  },
  KAFKA_SSL_KEY_FILE: {
    description: "PEM file of the client certificate's key (with KAFKA_SSL_CERT_FILE)",
    value: text,
    requires: ["KAFKA_SSL", "KAFKA_SSL_CERT_FILE"],
  },
  KAFKA_SSL_REJECT_UNAUTHORIZED: {
    description: "verify the brokers' certificates",
    value: flag,
    default: true,
    requires: ["KAFKA_SSL"],
  },
  KAFKA_SASL_MECHANISM: {
    description: "SASL authentication with Kafka (default: none)",
    value: choice(SASL_MECHANISMS),
    requires: ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"],
  },
  KAFKA_SASL_USERNAME: {
    description: "SASL user",
    value: text,
    requires: ["KAFKA_SASL_MECHANISM"],
  },
  KAFKA_SASL_PASSWORD: {
    description: 'SASL password: only a "${VAR}" reference to an environment variable',
    value: text,
    secret: true,
    requires: ["KAFKA_SASL_MECHANISM"],
  },
};

const STORAGE: Record<string, KeyFacts> = {
  FILESYSTEM_TYPE: {
    description: "where the archive is: LINUX (a local directory), S3 or AZURE (Blob storage)",
    value: choice(FILESYSTEM_TYPES),
    default: "LINUX",
  },
  FILESYSTEM_BACKUP_DIR: {
    description:
      "LINUX: the archive's root directory; S3 and AZURE: a local working directory (staging)",
    value: text,
    required: true,
  },
  // `required` of a storage key holds with its own kind only: the schema reads it there.
  ...Object.fromEntries(
    Object.entries(STORAGE_KEY_DOCS).map(([key, { required: _, ...facts }]) => [key, facts]),
  ),
};

const GENERAL: Record<string, KeyDoc> = {
  NUMBER_OF_KAFKA_THREADS: {
    kinds: BOTH,
    description: "Workers",
    value: whole(1),
    default: 1,
    byKind: {
      backup: { description: "consumer Workers" },
      restore: { description: "producer Workers" },
    },
  },
  LOG_LEVEL: {
    kinds: BOTH,
    description: "10, 20, 30, 40 (Python's numbers) or DEBUG, INFO, WARNING, ERROR",
    value: either({ type: "integer", enum: LOG_LEVEL_NUMBERS }, choice(LOG_LEVEL_NAMES)),
    default: 20,
  },
  RUN_MODE: {
    kinds: BOTH,
    description: "how long the job runs",
    value: text,
    byKind: {
      backup: {
        description: "continuous: until SIGTERM/SIGINT; once: up to the end offsets at start",
        value: choice(BACKUP_RUN_MODES),
        default: "continuous",
      },
      restore: {
        description:
          "follow: keep restoring new chunks; once: what the archive holds (the default with RESTORATION_POINT)",
        value: choice(RESTORE_RUN_MODES),
        default: "follow",
      },
    },
  },
  PROGRESS_INTERVAL_SECONDS: {
    kinds: BOTH,
    description: "seconds between progress lines",
    value: positive,
    default: 10,
  },
};

function forKinds(kinds: readonly JobKind[], docs: KindKeyDocs): Record<string, KeyDoc> {
  return Object.fromEntries(Object.entries(docs).map(([key, doc]) => [key, { ...doc, kinds }]));
}

/** Every job key, in the order of the key lists. */
export const KEY_DOCS: Readonly<Record<string, KeyDoc>> = {
  ...forKinds(BOTH, KAFKA),
  ...forKinds(BOTH, STORAGE),
  ...GENERAL,
  ...forKinds(BOTH, OPERATIONS_KEY_DOCS),
  ...forKinds(["backup"], BACKUP_KEY_DOCS),
  ...forKinds(["backup"], RETENTION_KEY_DOCS),
  ...forKinds(["restore"], RESTORE_KEY_DOCS),
  ...forKinds(["restore"], RESTORE_OPERATIONS_KEY_DOCS),
};

/** Keys of which a job needs one; with `remote`, only a job with S3 or AZURE storage. */
export interface NeedsOneOf {
  readonly keys: readonly string[];
  readonly remote?: true;
}

/** For each kind, the sets of keys of which a job needs one (a list given must not be empty). */
export const NEEDS_ONE_OF: Record<JobKind, readonly NeedsOneOf[]> = {
  backup: [{ keys: ["TOPIC_NAMES", "TOPIC_INCLUDE_REGEX"] }],
  restore: [
    // LINUX can take the source topic from FILESYSTEM_BACKUP_DIR, not the target.
    { keys: ["TOPIC_MAP", "BACKUP_TOPIC_NAME", "RESTORE_TOPIC_NAME"] },
    { keys: ["TOPIC_MAP", "BACKUP_TOPIC_NAME"], remote: true },
  ],
};

/** The keys of a `kind` job, in table order. */
export function keysOf(kind: JobKind): string[] {
  return Object.keys(KEY_DOCS).filter((key) => KEY_DOCS[key].kinds.includes(kind));
}

/** The keys of a `kind` job that only S3 and AZURE storage use. */
export function remoteOnlyKeys(kind: JobKind): string[] {
  return keysOf(kind).filter((key) => KEY_DOCS[key].remoteOnly);
}

/** What the table says about `key` in a `kind` job (its per-kind facts applied). */
export function keyFacts(key: string, kind: JobKind): KeyFacts {
  const { kinds: _kinds, byKind, remoteOnly: _remote, ...facts } = KEY_DOCS[key];
  return { ...facts, ...byKind?.[kind] };
}
