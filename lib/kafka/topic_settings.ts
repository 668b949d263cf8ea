/**
 * What a topic is besides its records: partition count, replication factor and its own
 * configs (the ones set on the topic, not inherited broker defaults; never sensitive ones).
 */
import type { Admin } from "./kafkajs.ts";

/** DescribeConfigs' config source of a setting made on the topic itself. */
const DYNAMIC_TOPIC_CONFIG = 1;
const TOPIC_RESOURCE = 2;

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/** The topic's own configs, by name. */
export async function topicConfigs(admin: Admin, topic: string): Promise<Record<string, string>> {
  const result = await admin.describeConfigs({
    resources: [{ type: TOPIC_RESOURCE, name: topic }],
    includeSynonyms: false,
  });
  const configs: Record<string, string> = {};
  for (const entry of result.resources[0]?.configEntries ?? []) {
    const source = (entry as { configSource?: number }).configSource;
    const own = source === undefined ? !entry.isDefault : source === DYNAMIC_TOPIC_CONFIG;
    if (own && !entry.isSensitive && entry.configValue !== null) {
      configs[entry.configName] = entry.configValue;
    }
  }
  return configs;
}

/** Partition count, replication factor (the largest of its partitions') and configs. */
export async function topicSettings(admin: Admin, topic: string): Promise<TopicSettings> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = metadata.topics[0].partitions;
  return {
    partitions: partitions.length,
    replicationFactor: Math.max(1, ...partitions.map((p) => p.replicas.length)),
    configs: await topicConfigs(admin, topic),
  };
}

/** How many brokers the cluster has. */
export async function brokerCount(admin: Admin): Promise<number> {
  const { brokers } = await admin.describeCluster();
  return brokers.length;
}
