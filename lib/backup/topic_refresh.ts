/**
 * A continuous backup's topic refresh: every TOPIC_REFRESH_SECONDS the topic keys are
 * matched against the cluster again. A new matching topic, a partition added to a
 * backed-up topic, or a backed-up topic deleted makes a new plan, and the engine moves the
 * consumers to it (after storing their open chunks). A deleted topic's archive stays as
 * it is. kafkajs subscribes once, at start: without this a new topic or partition would
 * wait for the next restart.
 */
import type { BackupJob } from "../config/backup_job.ts";
import type { Logger } from "../log.ts";
import { isRetriableKafkaError } from "../kafka/errors.ts";
import { ConfigError } from "../errors.ts";

/** What a refresh compares of a plan. */
export interface TopicLayout {
  topics: string[];
  /** Topic -> partition count. */
  partitionCounts: Record<string, number>;
}

/** What changed between two layouts, in words for the log; empty when nothing did. */
export function layoutChanges(before: TopicLayout, after: TopicLayout): string[] {
  const changes: string[] = [];
  for (const topic of after.topics) {
    const was = before.partitionCounts[topic];
    const now = after.partitionCounts[topic];
    if (was === undefined) changes.push(`new topic ${topic} (${now} partitions)`);
    else if (now !== was) changes.push(`${topic} has ${now} partitions (was ${was})`);
  }
  for (const topic of before.topics) {
    if (!after.topics.includes(topic)) {
      changes.push(`topic ${topic} is gone from the cluster (its archive stays)`);
    }
  }
  return changes;
}

export class TopicRefresh<P extends TopicLayout> {
  #next: number;

  constructor(
    private readonly job: BackupJob,
    private readonly logger: Logger,
    /** Matches the topic keys against the cluster now. */
    private readonly plan: () => Promise<P>,
    now = Date.now(),
  ) {
    this.#next = now + job.topicRefreshSeconds * 1000;
  }

  /**
   * When a refresh is due: the new plan if the topics or their partitions changed, else
   * null. A cluster that cannot answer now is asked again at the next refresh.
   */
  async check(current: TopicLayout, now = Date.now()): Promise<P | null> {
    if (now < this.#next) return null;
    this.#next = now + this.job.topicRefreshSeconds * 1000;
    let next: P;
    try {
      next = await this.plan();
    } catch (error) {
      // Nothing matching any more is a ConfigError at start; here the backup waits for a match.
      if (!isRetriableKafkaError(error) && !(error instanceof ConfigError)) throw error;
      this.logger.warn(`topic refresh: ${(error as Error).message} (the backup goes on as it is)`);
      return null;
    }
    const changes = layoutChanges(current, next);
    if (changes.length === 0) return null;
    this.logger.info(`topics changed: ${changes.join("; ")}: moving the consumers to them`);
    return next;
  }
}
