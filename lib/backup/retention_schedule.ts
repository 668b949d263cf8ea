/**
 * Retention in a backup run: after a once run, and every RETENTION_CHECK_SECONDS of a
 * continuous one, in the background of the consumers (a prune never touches a
 * partition's newest chunk, which is where the consumers add theirs). A failed prune is
 * logged and tried again at the next check: the records go on meanwhile.
 */
import type { BackupJob } from "../config/backup_job.ts";
import { retentionIsOn } from "../config/retention_config.ts";
import { ownKeys } from "../config/encryption_config.ts";
import type { Logger } from "../log.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { prune } from "./prune.ts";

export class RetentionSchedule {
  #next: number;
  #running: Promise<void> | null = null;

  constructor(
    private readonly storage: StorageBackend,
    private readonly job: BackupJob,
    private topics: string[],
    private readonly logger: Logger,
    now = Date.now(),
  ) {
    this.#next = now + job.retention.checkSeconds * 1000;
  }

  /** The topics being backed up changed (a topic refresh): a deleted one keeps its archive as it is. */
  setTopics(topics: string[]): void {
    this.topics = topics;
  }

  /** A schedule for `job`, or null when it sets no retention. */
  static of(
    storage: StorageBackend,
    job: BackupJob,
    topics: string[],
    logger: Logger,
  ): RetentionSchedule | null {
    return retentionIsOn(job.retention.policy)
      ? new RetentionSchedule(storage, job, topics, logger)
      : null;
  }

  /** Starts a prune in the background when one is due; returns at once. */
  tick(now = Date.now()): void {
    if (this.#running || now < this.#next) return;
    this.#next = now + this.job.retention.checkSeconds * 1000;
    this.#running = this.run().catch((error) =>
      this.logger.warn(`applying retention failed (tried again later): ${error.message}`)
    ).finally(() => {
      this.#running = null;
    });
  }

  /** Applies retention once, now. */
  async run(): Promise<void> {
    await prune(this.storage, this.topics, this.job.retention.policy, this.logger, {
      keys: ownKeys(this.job.encryption),
    });
  }

  /** Waits for a prune in progress (before the backup stops). */
  async settle(): Promise<void> {
    await this.#running;
  }
}
