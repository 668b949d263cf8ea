/**
 * Topic configs: each backed-up topic's partition count, replication factor and its own
 * (non-default, non-sensitive) configs, stored as `<topic>/@config/<stamp>.json` whenever
 * they change (docs/FORMAT.md, section 10.3).
 */
import { FieldReader } from "./fields.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { getMetaObject, listMetaObjects, type MetaRef, putMetaObject } from "./meta_object.ts";
import { ISO_INSTANT } from "./header.ts";
import { topicPrefix } from "./keys.ts";
import { isStamp, newStamp, stampTime } from "./stamp.ts";
import type { DecryptionKeys, EncryptionKey } from "./encryption.ts";

const FORMAT = 1;
const DIR = "@config/";

export interface TopicConfig {
  topic: string;
  createdAt: string;
  partitions: number;
  replicationFactor: number;
  /** Config name -> value: the topic's own settings (not broker defaults), never secrets. */
  configs: Record<string, string>;
}

/** True when two snapshots describe the same topic settings (their times aside). */
export function sameTopicConfig(a: TopicConfig, b: TopicConfig): boolean {
  const { createdAt: _a, ...restA } = a;
  const { createdAt: _b, ...restB } = b;
  return JSON.stringify(sortedConfigs(restA)) === JSON.stringify(sortedConfigs(restB));
}

function sortedConfigs<T extends { configs: Record<string, string> }>(value: T): T {
  const configs = Object.fromEntries(
    Object.entries(value.configs).sort(([x], [y]) => (x < y ? -1 : 1)),
  );
  return { ...value, configs };
}

const prefixOf = (topic: string) => `${topicPrefix(topic)}${DIR}`;

/** Stores a topic's config under a new key (encrypted with `encryption` when given). */
export function writeTopicConfig(
  backend: StorageBackend,
  config: TopicConfig,
  encryption?: EncryptionKey,
): Promise<MetaRef> {
  const key = `${prefixOf(config.topic)}${newStamp(new Date(config.createdAt))}.json`;
  return putMetaObject(backend, key, {
    formatVersion: FORMAT,
    kind: "topicConfig",
    ...sortedConfigs(config),
  }, encryption);
}

/** The keys of a topic's stored configs, oldest first. */
export async function listTopicConfigs(backend: StorageBackend, topic: string): Promise<string[]> {
  const prefix = prefixOf(topic);
  return (await listMetaObjects(backend, prefix)).filter((key) =>
    isStamp(key.slice(prefix.length, -".json".length))
  );
}

/**
 * The newest stored config of `topic` taken at or before `atMs` (any when absent), or
 * null when the archive has none (a backup made before configs were archived).
 */
export async function topicConfigAt(
  backend: StorageBackend,
  topic: string,
  atMs?: number,
  keys?: DecryptionKeys,
): Promise<TopicConfig | null> {
  return (await storedTopicConfigAt(backend, topic, atMs, keys))?.config ?? null;
}

/** Like {@linkcode topicConfigAt}, with the key id the config is encrypted with (or null). */
export async function storedTopicConfigAt(
  backend: StorageBackend,
  topic: string,
  atMs?: number,
  keys?: DecryptionKeys,
): Promise<{ config: TopicConfig; keyId: string | null } | null> {
  const prefix = prefixOf(topic);
  const found = (await listTopicConfigs(backend, topic)).filter((key) =>
    atMs === undefined || stampTime(key.slice(prefix.length, -".json".length))! <= atMs
  );
  return found.length === 0 ? null : await readStoredTopicConfig(backend, found.at(-1)!, keys);
}

/** Reads and checks a stored config, decrypting it with `keys` when it is encrypted. */
export async function readTopicConfig(
  backend: StorageBackend,
  key: string,
  keys?: DecryptionKeys,
): Promise<TopicConfig> {
  return (await readStoredTopicConfig(backend, key, keys)).config;
}

async function readStoredTopicConfig(
  backend: StorageBackend,
  key: string,
  keys?: DecryptionKeys,
): Promise<{ config: TopicConfig; keyId: string | null }> {
  const { value, keyId } = await getMetaObject(backend, key, undefined, keys);
  const r = new FieldReader(value, `topic config ${key}`);
  if (r.int("formatVersion") !== FORMAT) {
    r.fail(`format version ${r.raw("formatVersion")} is not supported`);
  }
  if (r.raw("kind") !== "topicConfig") r.fail("it is not a topic config");
  const configs = r.raw("configs");
  if (
    configs === null || typeof configs !== "object" || Array.isArray(configs) ||
    Object.values(configs).some((v) => typeof v !== "string")
  ) r.fail(`field "configs" must be an object of strings`);
  const config = {
    topic: r.string("topic", /./),
    createdAt: r.string("createdAt", ISO_INSTANT),
    partitions: r.int("partitions", 1),
    replicationFactor: r.int("replicationFactor", 1),
    configs: configs as Record<string, string>,
  };
  return { config, keyId };
}
