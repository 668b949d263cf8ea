/**
 * The restore keys about more than records: RESTORATION_POINT, RESTORE_CONSUMER_GROUPS,
 * CONSUMER_GROUP_MAP and TOPIC_CONFIG_OVERRIDES.
 */
import { describeValue } from "./issues.ts";
import type { Check, JobFields } from "./job_fields.ts";
import { type GroupSelection, groupSelection } from "./kafka_values.ts";
import { timestamp } from "./time_values.ts";
import type { TopicPair } from "./restore_topics.ts";
import { isStamp } from "../archive/stamp.ts";
import type { PointSpec } from "../archive/restoration_point.ts";

export interface RestoreMetadataKeys {
  restorationPoint?: PointSpec;
  restoreConsumerGroups?: GroupSelection;
  /** Source group -> target group; groups not named keep their name. */
  consumerGroupMap?: Record<string, string>;
  /** Target topic -> config name -> value, or null to leave the config out. */
  topicConfigOverrides?: Record<string, Record<string, string | null>>;
}

/** RESTORATION_POINT: "latest", a point's id, or a time (the newest point at or before it). */
const pointSpec: Check<PointSpec> = (value, at) => {
  if (typeof value === "string" && value.trim().toLowerCase() === "latest") {
    return { kind: "latest" };
  }
  if (typeof value === "string" && isStamp(value.trim())) return { kind: "id", id: value.trim() };
  const ms = timestamp(value, {
    path: at.path,
    child: at.child,
    fail: () => undefined,
  });
  if (ms !== undefined) return { kind: "time", ms };
  return at.fail(
    `expected "latest", a restoration point id (restore.ts --list-points) or a time, got ${
      describeValue(value)
    }`,
  );
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const groupMap: Check<Record<string, string>> = (value, at) => {
  if (!isObject(value) || Object.keys(value).length === 0) {
    return at.fail(
      `expected an object {"source group": "target group", ...}, got ${describeValue(value)}`,
    );
  }
  const sourceOf = new Map<string, string>();
  let ok = true;
  for (const [source, target] of Object.entries(value)) {
    if (typeof target !== "string" || target.trim() === "") {
      at.child(source).fail(`expected a target group id, got ${describeValue(target)}`);
      ok = false;
    } else if (sourceOf.has(target)) {
      at.child(source).fail(
        `target group "${target}" is also the target of "${sourceOf.get(target)}"`,
      );
      ok = false;
    } else sourceOf.set(target, source);
  }
  return ok ? value as Record<string, string> : undefined;
};

function configOverrides(targets: string[]): Check<Record<string, Record<string, string | null>>> {
  return (value, at) => {
    if (!isObject(value)) {
      return at.fail(
        `expected an object {"target topic": {"config": "value" or null}}, got ${
          describeValue(value)
        }`,
      );
    }
    let ok = true;
    for (const [topic, configs] of Object.entries(value)) {
      const here = at.child(topic);
      if (!targets.includes(topic)) {
        here.fail(`"${topic}" is not a target topic of this job (${targets.join(", ")})`);
        ok = false;
      }
      if (!isObject(configs)) {
        here.fail(`expected an object of configs, got ${describeValue(configs)}`);
        ok = false;
        continue;
      }
      for (const [name, v] of Object.entries(configs)) {
        if (v !== null && typeof v !== "string") {
          here.child(name).fail(
            `expected a string value or null (to drop it), got ${describeValue(v)}`,
          );
          ok = false;
        }
      }
    }
    return ok ? value as Record<string, Record<string, string | null>> : undefined;
  };
}

/** Reads the four keys; `topics`, `strategy` and `partitions` are the job's. */
export function readRestoreMetadataKeys(
  fields: JobFields,
  topics: TopicPair[],
  strategy: string,
  hasPartitions: boolean,
): RestoreMetadataKeys {
  const groups = fields.optional("RESTORE_CONSUMER_GROUPS", groupSelection);
  fields.onlyWhen(
    "CONSUMER_GROUP_MAP",
    fields.has("RESTORE_CONSUMER_GROUPS"),
    "RESTORE_CONSUMER_GROUPS is set",
  );
  if (groups !== undefined && strategy !== "same" && hasPartitions) {
    // Offsets of one target partition come from every source partition: they must be
    // worked out by one process (a lock between its Workers), not several.
    fields.at("RESTORE_CONSUMER_GROUPS").fail(
      `with strategy "${strategy}" needs the whole restore in one process: leave PARTITIONS out`,
    );
  }
  return {
    restorationPoint: fields.optional("RESTORATION_POINT", pointSpec),
    restoreConsumerGroups: groups,
    consumerGroupMap: fields.optional("CONSUMER_GROUP_MAP", groupMap),
    topicConfigOverrides: fields.optional(
      "TOPIC_CONFIG_OVERRIDES",
      configOverrides(topics.map((t) => t.target)),
    ),
  };
}
