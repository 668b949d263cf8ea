/** The keys only a backup job file has, for the key table (key_docs.ts). */
import { COMPRESSIONS } from "./choices.ts";
import { choice, type KindKeyDocs, listOf, matching, positive, text, whole } from "./key_doc.ts";
import { KEY_ID } from "../archive/encryption.ts";
import { GROUPS, PATTERN, TOPIC } from "./value_docs.ts";

export const BACKUP_KEY_DOCS: KindKeyDocs = {
  TOPIC_NAMES: {
    description:
      "topics to back up (each must exist; internal __ topics only when named here); this or TOPIC_INCLUDE_REGEX",
    value: listOf(TOPIC),
  },
  TOPIC_INCLUDE_REGEX: {
    description: "also every non-internal topic whose whole name matches",
    value: PATTERN,
  },
  TOPIC_EXCLUDE_REGEX: {
    description: "minus the topics whose whole name matches",
    value: PATTERN,
  },
  TOPIC_REFRESH_SECONDS: {
    description:
      "continuous mode: how often the topic keys are matched again, so new topics and partitions are backed up and deleted topics dropped",
    value: positive,
    default: 60,
  },
  GROUP_ID: { description: "consumer group of the backup consumers", value: text, required: true },
  NUMBER_OF_MESSAGE_PER_BACKUP_FILE: {
    description: "records per chunk",
    value: whole(1),
    default: 10_000,
  },
  MAX_CHUNK_BYTES: {
    description: "payload bytes per chunk",
    value: whole(1024),
    default: 67108864,
  },
  MAX_CHUNK_AGE_SECONDS: {
    description: "a chunk is stored after this long (bounds what a crash leaves unstored)",
    value: positive,
    default: 60,
  },
  RETRY_UPLOAD_SECONDS: {
    description: "longest wait between retries of a failing storage call",
    value: positive,
    default: 10,
  },
  COMPRESSION: {
    description: "codec of chunk bodies",
    value: choice(COMPRESSIONS),
    default: "zstd",
  },
  COMPRESSION_LEVEL: {
    description: 'zstd 1-19 (default 1), gzip 1-9 (default 6); not with COMPRESSION "none"',
    value: whole(1, 19),
  },
  ENCRYPTION_KEY: {
    description:
      'encrypt chunks, group snapshots and topic configs (AES-256-GCM): only a "${VAR}" reference to a 32-byte key, as 64 hex digits or base64',
    value: text,
    secret: true,
    requires: ["ENCRYPTION_KEY_ID"],
  },
  ENCRYPTION_KEY_ID: {
    description:
      "the name of ENCRYPTION_KEY, stored in the clear with every encrypted object (restore's DECRYPTION_KEYS finds the key by it)",
    value: matching(KEY_ID),
    requires: ["ENCRYPTION_KEY"],
  },
  STAGING_MAX_BYTES: {
    description:
      "S3 and AZURE: bytes of sealed chunks waiting for upload (at least MAX_CHUNK_BYTES)",
    value: whole(1024),
    default: 1073741824,
    remoteOnly: true,
  },
  UPLOAD_CONCURRENCY: {
    description: "S3 and AZURE: uploads in flight",
    value: whole(1),
    default: 4,
    remoteOnly: true,
  },
  CONSUMER_GROUPS: {
    description:
      'groups whose committed offsets on the backed-up topics are snapshotted: "*" (every group with one) or a list of group ids ([]: none)',
    value: GROUPS,
    default: "*",
  },
  CONSUMER_GROUPS_EXCLUDE_REGEX: {
    description: "minus the groups whose whole id matches",
    value: PATTERN,
  },
  GROUP_SNAPSHOT_INTERVAL_SECONDS: {
    description:
      "continuous mode: how often group offsets and topic configs are read (and archived when they changed)",
    value: positive,
    default: 60,
  },
  RESTORATION_POINT_INTERVAL_SECONDS: {
    description: "continuous mode: how often a restoration point is written",
    value: positive,
    default: 3600,
  },
};
