/**
 * The topics a restore writes into: what they are now (checked before anything changes),
 * and, when the job asks for it, their creation with the backed-up topic's partition
 * count, replication factor and configs.
 */
import type { Admin } from "../kafka/kafkajs.ts";
import { fetchTopicOffsets, partitionCount } from "../kafka/topics.ts";
import { KafkaError, RefusedError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { TopicConfig } from "../archive/topic_config.ts";
import type { Strategy } from "./partitioner.ts";

/** Kafka's default max.message.bytes, for a topic that does not exist yet. */
const DEFAULT_MAX_MESSAGE_BYTES = 1048588;

export interface TargetInfo {
  /** False when the topic does not exist (yet). */
  exists: boolean;
  partitions: number;
  maxMessageBytes: number;
  /** True when any partition holds records (its high watermark is past its low one). */
  nonEmpty: boolean;
  /** The topic's effective cleanup.policy. */
  cleanupPolicy: string;
}

/** What a topic to be created gets: from the archive's topic config, changed by the job. */
export interface TargetSpec {
  partitions: number;
  replicationFactor?: number;
  configs: Record<string, string>;
}

/** The spec of a target created from `config` (null: an archive without topic configs). */
export function targetSpec(
  config: TopicConfig | null,
  archivedPartitions: number,
  overrides: Record<string, string | null> = {},
): TargetSpec {
  const configs: Record<string, string> = { ...config?.configs };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) delete configs[name];
    else configs[name] = value;
  }
  return {
    partitions: Math.max(config?.partitions ?? 0, archivedPartitions),
    replicationFactor: config?.replicationFactor,
    configs,
  };
}

/** What `target` is now. */
export async function inspectTarget(admin: Admin, target: string): Promise<TargetInfo> {
  const partitions = await partitionCount(admin, target);
  if (partitions === null) {
    return {
      exists: false,
      partitions: 0,
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      nonEmpty: false,
      cleanupPolicy: "",
    };
  }
  const offsets = await fetchTopicOffsets(admin, target);
  const result = await admin.describeConfigs({
    resources: [{ type: 2, name: target, configNames: ["max.message.bytes", "cleanup.policy"] }],
    includeSynonyms: false,
  });
  const value = (name: string) =>
    result.resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
  return {
    exists: true,
    partitions,
    maxMessageBytes: Number(value("max.message.bytes") ?? DEFAULT_MAX_MESSAGE_BYTES),
    nonEmpty: offsets.some((o) => Number(o.high) > Number(o.low)),
    cleanupPolicy: value("cleanup.policy") ?? "delete",
  };
}

/**
 * Refuses a target the restore cannot use: a missing one without CREATE_TOPIC, one with
 * too few partitions for strategy same. Warns when its cleanup.policy is not the source's.
 */
export function checkTarget(
  target: string,
  info: TargetInfo,
  spec: TargetSpec,
  options: { strategy: Strategy; create: boolean; logger: Logger; unseenHint?: string },
): void {
  if (!info.exists) {
    if (options.create) return;
    throw new KafkaError(
      `Target topic "${target}" does not exist${options.unseenHint ?? ""}: create it, or set ` +
        `"CREATE_TOPIC": true to create it with the backup's ${spec.partitions} partitions`,
    );
  }
  if (options.strategy === "same" && info.partitions < spec.partitions) {
    throw new RefusedError(
      `Target topic "${target}" has ${info.partitions} partitions but the backup has ${spec.partitions}: ` +
        `strategy "same" needs at least as many (use "random" or "key", or add partitions)`,
    );
  }
  const policy = spec.configs["cleanup.policy"] ?? "delete";
  if (info.cleanupPolicy !== policy) {
    options.logger.warn(
      `Target topic "${target}" has cleanup.policy ${info.cleanupPolicy}, the backed-up topic had ` +
        `${policy}: consumers of a compacted topic see only the latest record of each key`,
    );
  }
}

/**
 * Creates `target` from `spec`, its replication factor (and min.insync.replicas) capped
 * at the cluster's `brokers` with a warning. Returns what it is then.
 */
export async function createTarget(
  admin: Admin,
  target: string,
  spec: TargetSpec,
  brokers: number,
  logger: Logger,
): Promise<TargetInfo> {
  const configs = { ...spec.configs };
  let replicationFactor = spec.replicationFactor;
  if (replicationFactor !== undefined && replicationFactor > brokers) {
    logger.warn(
      `Target topic "${target}": replication factor ${replicationFactor} of the backed-up topic ` +
        `capped at the target cluster's ${brokers} broker(s)`,
    );
    replicationFactor = brokers;
  }
  const minIsr = Number(configs["min.insync.replicas"]);
  if (replicationFactor !== undefined && minIsr > replicationFactor) {
    logger.warn(
      `Target topic "${target}": min.insync.replicas ${minIsr} capped at its replication factor ` +
        `${replicationFactor} (no record could be written otherwise)`,
    );
    configs["min.insync.replicas"] = String(replicationFactor);
  }
  try {
    await admin.createTopics({
      topics: [{
        topic: target,
        numPartitions: spec.partitions,
        replicationFactor,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      }],
      waitForLeaders: true,
    });
  } catch (error) {
    throw new KafkaError(
      `Cannot create target topic "${target}" with the backed-up topic's configs ` +
        `${JSON.stringify(configs)}: ${
          (error as Error).message
        } (TOPIC_CONFIG_OVERRIDES can change ` +
        `or drop a config, e.g. {"${target}": {"name": null}})`,
      { cause: error },
    );
  }
  return await inspectTarget(admin, target);
}
