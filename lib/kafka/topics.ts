/** Topic discovery and offsets: what the backup covers and where each partition ends. */
import type { Admin } from "./kafkajs.ts";
import { KafkaError } from "../errors.ts";
import { withKafkaRetry } from "./errors.ts";

export interface TopicSelection {
  names?: string[];
  include?: RegExp;
  exclude?: RegExp;
}

/** Internal topics are backed up only when named explicitly, never through a regex. */
export const isInternalTopic = (topic: string): boolean => topic.startsWith("__");

/**
 * The topics a backup covers, sorted: every named topic (each must exist) plus every
 * non-internal topic matching `include`, minus those matching `exclude`.
 */
export async function selectTopics(
  admin: Admin,
  selection: TopicSelection,
  options: {
    /** Leave out a named topic that does not exist (a refresh: it was deleted) instead of failing. */
    skipMissing?: boolean;
    /** Said after "does not exist" (authorization.ts: it may only be hidden from the user). */
    unseenHint?: string;
  } = {},
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const chosen = new Set<string>();
  for (const name of selection.names ?? []) {
    if (!existing.has(name)) {
      if (options.skipMissing) continue;
      throw new KafkaError(
        `Topic "${name}" (TOPIC_NAMES) does not exist in the cluster${options.unseenHint ?? ""}`,
      );
    }
    chosen.add(name);
  }
  if (selection.include) {
    for (const name of existing) {
      if (!isInternalTopic(name) && selection.include.test(name)) chosen.add(name);
    }
  }
  if (selection.exclude) {
    for (const name of [...chosen]) if (selection.exclude.test(name)) chosen.delete(name);
  }
  return [...chosen].sort();
}

export interface PartitionOffsets {
  partition: number;
  /** First offset still in the log. */
  low: number;
  /** End offset as a read_committed consumer sees it (the last stable offset). */
  high: number;
}

/**
 * The partitions' offsets as kafkajs reports them. kafkajs does not retry its ListOffsets
 * when a partition has no ready leader, as right after the topic was created or while a
 * broker restarts ("This server is not the leader for that topic-partition"): this
 * retries such retriable errors for up to 30 s.
 */
export function fetchTopicOffsets(admin: Pick<Admin, "fetchTopicOffsets">, topic: string) {
  return withKafkaRetry(`offsets of ${topic}`, () => admin.fetchTopicOffsets(topic), {
    deadlineMs: 30_000,
    maxDelayMs: 2_000,
  });
}

/** Low and high offsets of every partition of `topic`, sorted by partition. */
export async function partitionOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const offsets = await fetchTopicOffsets(admin, topic);
  return offsets
    .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** "CreateTime" or "LogAppendTime": how the topic stamps its records. */
export async function timestampTypeOf(
  admin: Admin,
  topic: string,
): Promise<"CreateTime" | "LogAppendTime"> {
  const result = await admin.describeConfigs({
    resources: [{ type: 2, name: topic, configNames: ["message.timestamp.type"] }],
    includeSynonyms: false,
  });
  const value = result.resources[0]?.configEntries.find((e) =>
    e.configName === "message.timestamp.type"
  )
    ?.configValue;
  return value === "LogAppendTime" ? "LogAppendTime" : "CreateTime";
}

/** The number of partitions of `topic`, or null when it does not exist. */
export async function partitionCount(admin: Admin, topic: string): Promise<number | null> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) return null;
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0].partitions.length;
}
