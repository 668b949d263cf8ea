/**
 * What a backup archives besides records (docs/FORMAT.md, section 10), from the main
 * thread with admin calls only: group snapshots of the consumer groups' committed
 * offsets, each topic's settings, and restoration points. Each is written only when it
 * differs from the newest one in the archive, so restarts and quiet intervals add
 * nothing. A restoration point is written from a listing of the archive, so it never
 * names a chunk that is not durable yet.
 */
import type { Admin } from "../kafka/kafkajs.ts";
import { committedOffsets, listGroupIds, TOOL_GROUP_PREFIX } from "../kafka/groups.ts";
import { topicSettings } from "../kafka/topic_settings.ts";
import type { BackupJob } from "../config/backup_job.ts";
import type { Logger } from "../log.ts";
import type { StorageBackend } from "../storage/backend.ts";
import type { MetaRef } from "../archive/meta_object.ts";
import { ConfigError, IntegrityError } from "../errors.ts";
import { mapLimit } from "../util/map_limit.ts";

/** Admin requests in flight at once while reading groups' offsets and topics' settings. */
const GROUP_CONCURRENCY = 8;
import {
  type GroupSnapshot,
  listGroupSnapshots,
  readGroupSnapshot,
  sameGroupOffsets,
  writeGroupSnapshot,
} from "../archive/group_snapshot.ts";
import {
  sameTopicConfig,
  storedTopicConfigAt,
  type TopicConfig,
  writeTopicConfig,
} from "../archive/topic_config.ts";
import { UnknownKeyError, WrongKeyError } from "../archive/encryption.ts";
import { ownKeys } from "../config/encryption_config.ts";
import { type RestorationPoint, writeRestorationPoint } from "../archive/restoration_point.ts";
import { partitionEnd } from "../archive/store.ts";

/** The groups a backup captures: never its own, never a restore's checkpoint groups. */
export function capturedGroup(job: BackupJob, group: string): boolean {
  if (group === job.groupId || group.startsWith(TOOL_GROUP_PREFIX)) return false;
  if (job.consumerGroupsExclude?.test(group)) return false;
  return job.consumerGroups === "*" || job.consumerGroups.includes(group);
}

export class BackupMetadata {
  #lastSnapshot: { snapshot: GroupSnapshot; ref: MetaRef } | null = null;
  readonly #lastConfigs = new Map<string, TopicConfig>();
  #partitions = new Map<string, number>();
  #warnedMissing = new Set<string>();

  constructor(
    private readonly storage: StorageBackend,
    private readonly admin: Admin,
    private readonly job: BackupJob,
    private topics: string[],
    private readonly logger: Logger,
  ) {}

  /** The topics being backed up changed (a topic refresh of a continuous backup). */
  setTopics(topics: string[]): void {
    this.topics = topics;
  }

  /**
   * Reads the newest archived snapshot and configs, so unchanged ones are not written
   * again. One stored otherwise than this backup stores (in the clear while it encrypts,
   * under another key id, or encrypted while it does not) counts as absent: the next is
   * written the way the job says.
   */
  async load(): Promise<void> {
    const keys = ownKeys(this.job.encryption);
    const wanted = this.job.encryption?.id ?? null;
    const keyNote = (what: string, keyId: string | null) =>
      this.logger.info(
        `${what} is ${keyId === null ? "in the clear" : `under key id ${keyId}`}, this backup ` +
          `${
            wanted === null ? "stores in the clear" : `encrypts under ${wanted}`
          }: a new one will be written`,
      );
    const newest = (await listGroupSnapshots(this.storage)).at(-1);
    try {
      if (newest !== undefined) {
        const { snapshot, ref, keyId } = await readGroupSnapshot(
          this.storage,
          newest,
          undefined,
          keys,
        );
        if (keyId === wanted) this.#lastSnapshot = { snapshot, ref };
        else keyNote(`group snapshot ${newest}`, keyId);
      }
    } catch (error) {
      this.#refuseReusedKeyId(error);
      // A damaged old snapshot must not stop the backup: the next one is simply written.
      if (error instanceof UnknownKeyError) keyNote(`group snapshot ${newest}`, error.keyId);
      else if (!(error instanceof IntegrityError)) throw error;
      else this.logger.warn(`${error.message}: a new group snapshot will be written`);
    }
    for (const topic of this.topics) {
      const stored = await storedTopicConfigAt(this.storage, topic, undefined, keys).catch(
        (error) => {
          this.#refuseReusedKeyId(error);
          if (error instanceof UnknownKeyError) {
            keyNote(`the archived config of ${topic}`, error.keyId);
          } else if (!(error instanceof IntegrityError)) throw error;
          else this.logger.warn(`${error.message}: the topic's config will be archived again`);
          return null;
        },
      );
      if (stored?.keyId === wanted) this.#lastConfigs.set(topic, stored.config);
      else if (stored) keyNote(`the archived config of ${topic}`, stored.keyId);
    }
  }

  /**
   * Two keys under one key id would leave chunks no restore can tell apart: refused
   * (exit 2) when the archive holds an object under this id that this key cannot open.
   */
  #refuseReusedKeyId(error: unknown): void {
    if (!(error instanceof WrongKeyError)) return;
    throw new ConfigError(
      `ENCRYPTION_KEY is not the key that ENCRYPTION_KEY_ID "${error.keyId}" names in ` +
        `${this.storage.location} (${error.what} is encrypted under another key with that ` +
        "id): give a new key a new ENCRYPTION_KEY_ID",
    );
  }

  /** Snapshots the groups' offsets; returns the reference of the archive's newest snapshot. */
  async captureGroups(): Promise<MetaRef | null> {
    const ids = await this.#groupsToCapture();
    const all = await mapLimit(ids, GROUP_CONCURRENCY, async (group) => ({
      group,
      offsets: await committedOffsets(this.admin, group, this.topics),
    }));
    const groups = all.filter((g) => g.offsets.length > 0);
    for (const { group, offsets } of all) {
      if (offsets.length > 0) continue;
      if (this.job.consumerGroups !== "*" && !this.#warnedMissing.has(group)) {
        this.#warnedMissing.add(group);
        this.logger.warn(
          `consumer group ${group} (CONSUMER_GROUPS) has no committed offset on ${
            this.topics.join(",")
          }`,
        );
      }
    }
    const snapshot: GroupSnapshot = { createdAt: new Date().toISOString(), groups };
    if (this.#lastSnapshot && sameGroupOffsets(this.#lastSnapshot.snapshot, snapshot)) {
      return this.#lastSnapshot.ref;
    }
    if (!this.#lastSnapshot && groups.length === 0) return null;
    const ref = await writeGroupSnapshot(this.storage, snapshot, this.job.encryption);
    this.#lastSnapshot = { snapshot, ref };
    this.logger.info(`group snapshot ${ref.key}: ${groups.length} group(s)`);
    return ref;
  }

  /** Archives each topic's settings when they differ from the newest archived ones. */
  async captureTopicConfigs(): Promise<void> {
    const all = await mapLimit(this.topics, GROUP_CONCURRENCY, (t) => topicSettings(this.admin, t));
    for (const [i, topic] of this.topics.entries()) {
      const settings = all[i];
      this.#partitions.set(topic, settings.partitions);
      const config: TopicConfig = { topic, createdAt: new Date().toISOString(), ...settings };
      const last = this.#lastConfigs.get(topic);
      if (last && sameTopicConfig(last, config)) continue;
      const { key } = await writeTopicConfig(this.storage, config, this.job.encryption);
      this.#lastConfigs.set(topic, config);
      this.logger.info(`topic config ${key}`);
    }
  }

  /**
   * A restoration point of this moment: a fresh group snapshot, then how far the
   * archive reaches for every partition of the backed-up topics.
   */
  async writePoint(): Promise<RestorationPoint> {
    const groupSnapshot = await this.captureGroups();
    const topics = [];
    for (const topic of this.topics) {
      const count = this.#partitions.get(topic) ??
        (await topicSettings(this.admin, topic)).partitions;
      const partitions = [];
      for (let partition = 0; partition < count; partition++) {
        partitions.push({ partition, end: await partitionEnd(this.storage, topic, partition) });
      }
      topics.push({ topic, partitions });
    }
    const point = await writeRestorationPoint(this.storage, {
      createdAt: new Date().toISOString(),
      groupSnapshot,
      topics,
    });
    this.logger.info(`restoration point ${point.id}`);
    return point;
  }

  async #groupsToCapture(): Promise<string[]> {
    const { consumerGroups } = this.job;
    const candidates = consumerGroups === "*" ? await listGroupIds(this.admin) : consumerGroups;
    return candidates.filter((group) => capturedGroup(this.job, group)).sort();
  }
}

/**
 * Continuous mode: group snapshots and topic configs every GROUP_SNAPSHOT_INTERVAL_SECONDS
 * (written only when changed), a restoration point every RESTORATION_POINT_INTERVAL_SECONDS.
 * A failure is logged and tried again at the next interval: the records go on meanwhile.
 */
export class MetadataSchedule {
  #nextSnapshot: number;
  #nextPoint: number;
  #running = false;

  constructor(
    private readonly metadata: BackupMetadata,
    private readonly job: BackupJob,
    private readonly logger: Logger,
    /** Hears of every restoration point written. */
    private readonly onPoint: () => void = () => {},
    now = Date.now(),
  ) {
    this.#nextSnapshot = now + job.groupSnapshotIntervalSeconds * 1000;
    this.#nextPoint = now + job.restorationPointIntervalSeconds * 1000;
  }

  /** Starts what is due, in the background; returns at once. */
  tick(now = Date.now()): void {
    if (this.#running) return;
    const point = now >= this.#nextPoint;
    const snapshot = now >= this.#nextSnapshot;
    if (!point && !snapshot) return;
    this.#running = true;
    this.#run(point, snapshot).catch((error) =>
      this.logger.warn(
        `archiving groups, topic configs or a restoration point failed: ${error.message}`,
      )
    ).finally(() => {
      this.#running = false;
    });
  }

  async #run(point: boolean, snapshot: boolean): Promise<void> {
    const now = Date.now();
    if (snapshot) {
      this.#nextSnapshot = now + this.job.groupSnapshotIntervalSeconds * 1000;
      await this.metadata.captureTopicConfigs();
      if (!point) await this.metadata.captureGroups();
    }
    if (point) {
      this.#nextPoint = now + this.job.restorationPointIntervalSeconds * 1000;
      await this.metadata.writePoint();
      this.onPoint();
    }
  }

  /** Waits for a run in progress (before the backup stops). */
  async settle(): Promise<void> {
    while (this.#running) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
