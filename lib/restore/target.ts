/** Checks (and when asked, creates) the topics a restore writes into. */
import type { Admin } from "../kafka/kafkajs.ts";
import { fetchTopicOffsets, partitionCount } from "../kafka/topics.ts";
import { KafkaError, RefusedError } from "../errors.ts";
import type { Strategy } from "./partitioner.ts";

export interface TargetInfo {
  partitions: number;
  maxMessageBytes: number;
  /** True when any partition holds records (its high watermark is past its low one). */
  nonEmpty: boolean;
}

async function maxMessageBytes(admin: Admin, topic: string): Promise<number> {
  const result = await admin.describeConfigs({
    resources: [{ type: 2, name: topic, configNames: ["max.message.bytes"] }],
    includeSynonyms: false,
  });
  const value = result.resources[0]?.configEntries.find((e) => e.configName === "max.message.bytes")
    ?.configValue;
  return Number(value ?? 1048588);
}

/**
 * Makes sure `target` can take the restore: it exists (or is created with the backup's
 * partition count when `create`), and under `same` it has every source partition.
 */
export async function prepareTarget(
  admin: Admin,
  target: string,
  options: { sourcePartitions: number; strategy: Strategy; create: boolean; dryRun?: boolean },
): Promise<TargetInfo> {
  let partitions = await partitionCount(admin, target);
  if (partitions === null && options.create && options.dryRun) {
    // A dry run creates nothing: the topic would be created with the backup's partitions.
    return { partitions: options.sourcePartitions, maxMessageBytes: 1048588, nonEmpty: false };
  }
  if (partitions === null) {
    if (!options.create) {
      throw new KafkaError(
        `Target topic "${target}" does not exist: create it, or set "CREATE_TOPIC": true to create it ` +
          `with the backup's ${options.sourcePartitions} partitions`,
      );
    }
    await admin.createTopics({
      topics: [{ topic: target, numPartitions: options.sourcePartitions }],
      waitForLeaders: true,
    });
    partitions = options.sourcePartitions;
  }
  if (options.strategy === "same" && partitions < options.sourcePartitions) {
    throw new RefusedError(
      `Target topic "${target}" has ${partitions} partitions but the backup has ${options.sourcePartitions}: ` +
        `strategy "same" needs at least as many (use "random" or "key", or add partitions)`,
    );
  }
  const offsets = await fetchTopicOffsets(admin, target);
  return {
    partitions,
    maxMessageBytes: await maxMessageBytes(admin, target),
    nonEmpty: offsets.some((o) => Number(o.high) > Number(o.low)),
  };
}
