/** Job files for the tests, in the Python tool's key style. */
import { kafkaBootstrap } from "./env.ts";

export function backupJob(
  topics: string[],
  dir: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    BOOTSTRAP_SERVERS: kafkaBootstrap(),
    TOPIC_NAMES: topics,
    GROUP_ID: `${topics[0]}-backup`,
    FILESYSTEM_TYPE: "LINUX",
    FILESYSTEM_BACKUP_DIR: dir,
    NUMBER_OF_MESSAGE_PER_BACKUP_FILE: 1000,
    RETRY_UPLOAD_SECONDS: 1,
    NUMBER_OF_KAFKA_THREADS: 1,
    LOG_LEVEL: 20,
    RUN_MODE: "once",
    ...extra,
  };
}

export function restoreJob(
  source: string,
  target: string,
  dir: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    BOOTSTRAP_SERVERS: kafkaBootstrap(),
    BACKUP_TOPIC_NAME: source,
    RESTORE_TOPIC_NAME: target,
    FILESYSTEM_TYPE: "LINUX",
    FILESYSTEM_BACKUP_DIR: dir,
    RETRY_SECONDS: 1,
    RETRY_DOWNLOAD_SECONDS: 1,
    RESTORE_PARTITION_STRATEGY: "same",
    RUN_MODE: "once",
    ...extra,
  };
}
