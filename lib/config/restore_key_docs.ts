/** The keys only a restore job file has, for the key table (key_docs.ts). */
import { STAMP } from "../archive/stamp.ts";
import { PARTITION_STRATEGIES } from "./choices.ts";
import { TOPIC_NAME } from "./kafka_values.ts";
import {
  choice,
  either,
  flag,
  type KindKeyDocs,
  listOf,
  mapOf,
  matchingTrimmed,
  positive,
  text,
  whole,
} from "./key_doc.ts";
import { GROUPS, TIME, TOPIC } from "./value_docs.ts";
import { KEY_ID } from "../archive/encryption.ts";

export const RESTORE_KEY_DOCS: KindKeyDocs = {
  BACKUP_TOPIC_NAME: {
    description:
      "the archived topic to restore (without it or TOPIC_MAP: LINUX takes it from FILESYSTEM_BACKUP_DIR, the topic's own directory; S3 and AZURE need one)",
    value: TOPIC,
  },
  RESTORE_TOPIC_NAME: {
    description: "the topic to write into (default: BACKUP_TOPIC_NAME)",
    value: TOPIC,
  },
  TOPIC_MAP: {
    description: 'several topics: {"source": "target", ...} (instead of the two above)',
    value: mapOf(TOPIC, { nonEmpty: true, names: TOPIC_NAME }),
    excludes: ["BACKUP_TOPIC_NAME", "RESTORE_TOPIC_NAME"],
  },
  RETRY_SECONDS: {
    description: "follow mode: seconds between rescans of the archive for new chunks",
    value: positive,
    default: 30,
  },
  RETRY_DOWNLOAD_SECONDS: {
    description: "longest wait between retries of a failing storage call",
    value: positive,
    default: 10,
  },
  RESTORE_PARTITION_STRATEGY: {
    description:
      "same: a record goes to its source partition; random: any partition; key: by its key, as Kafka's producer would",
    value: choice(PARTITION_STRATEGIES),
    default: "same",
  },
  PARTITIONS: {
    description:
      "restore only these source partitions, to split a restore over processes (default: all)",
    value: listOf(whole(0), 1),
  },
  START_OFFSET: {
    description: "restore only source offsets from this one (inclusive)",
    value: whole(0),
  },
  END_OFFSET: {
    description: "restore only source offsets up to this one (inclusive)",
    value: whole(0),
  },
  START_TIMESTAMP: {
    description:
      "restore only records from this time (inclusive; epoch ms or ISO-8601 with a zone)",
    value: TIME,
  },
  END_TIMESTAMP: {
    description:
      "restore only records up to this time (inclusive; epoch ms or ISO-8601 with a zone)",
    value: TIME,
  },
  CREATE_TOPIC: {
    description:
      "create a missing target with the backed-up topic's partitions, replication factor and configs",
    value: flag,
    default: false,
  },
  ALLOW_NON_EMPTY_TARGET: {
    description: "write into a target that already holds records",
    value: flag,
    default: false,
  },
  RECORDS_PER_TRANSACTION: {
    description: "at most this many records per transaction (default: no bound)",
    value: whole(1),
  },
  BYTES_PER_TRANSACTION: {
    description: "a Kafka transaction (which also moves the checkpoint) closes at this many bytes",
    value: whole(1024),
    default: 16777216,
  },
  OFFSET_MAP_TOPIC: {
    description: "also write the source -> target offset map to this topic (created when missing)",
    value: TOPIC,
  },
  BUFFER_MAX_BYTES: {
    description:
      "bytes of chunks (files and decoded records) one Worker holds at once (at least 1 MiB)",
    value: whole(1024 * 1024),
    default: 25165824,
  },
  RESTORATION_POINT: {
    description:
      'restore up to a restoration point: "latest", a point\'s id (--list-points), or a time (the newest point at or before it)',
    value: either(choice(["latest"]), matchingTrimmed(STAMP), TIME),
  },
  RESTORE_CONSUMER_GROUPS: {
    description:
      'groups whose archived offsets are translated and committed in the target: a list, or "*" for every captured one',
    value: GROUPS,
  },
  CONSUMER_GROUP_MAP: {
    description: '{"source group": "target group"}: commit a group\'s offsets under another id',
    value: mapOf(text, { nonEmpty: true }),
    requires: ["RESTORE_CONSUMER_GROUPS"],
  },
  DECRYPTION_KEYS: {
    description:
      'the keys of an encrypted archive, by key id: {"2025-01": "${OLD_KEY}", "2025-06": "${NEW_KEY}"} (only "${VAR}" references); for the restore, --verify and --list',
    value: mapOf(text, { nonEmpty: true, names: KEY_ID }),
    secret: true,
  },
  LATEST_PER_KEY: {
    description:
      "restore only the last record of each key in the range (keys whose last record is a tombstone left out; records without a key all kept), as compaction would keep them",
    value: flag,
    default: false,
  },
  KEEP_TOMBSTONES: {
    description:
      "with LATEST_PER_KEY: restore a key whose last record is a tombstone as that tombstone",
    value: flag,
    default: false,
  },
  TOPIC_CONFIG_OVERRIDES: {
    description:
      'per target topic, configs to change or (with null) leave out at creation: {"orders": {"retention.ms": "86400000"}}',
    value: mapOf(mapOf(either({ type: "string" }, { type: "null" }))),
  },
};
