/**
 * One backup consumer (one per Worker): a kafkajs consumer in the job's group that fills
 * a chunk per assigned partition and stores it when it is full, old, or (once mode) the
 * partition has reached the end captured at start.
 *
 * Durability rules, in order of importance:
 * - storage is the truth: a partition continues one past the last chunk in storage,
 *   whatever the group's committed offset says (it is moved there if it differs);
 * - the group offset is committed only after storage holds the chunk;
 * - on a rebalance, open chunks of partitions that move are dropped unstored: the
 *   partition's next owner re-reads them from Kafka, so nothing is stored twice or
 *   skipped; a partition that stays with this member keeps its open chunk;
 * - before this member (re)joins the group, every chunk it sealed is durable: chunks
 *   are written in the background, and a partition's next owner resumes from storage.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from "../kafka/kafkajs.ts";
import { partitionOffsets } from "../kafka/topics.ts";
import { beforeEveryJoin, consumedRecord } from "../kafka/kafkajs.ts";
import { processAssigners } from "../kafka/process_assigner.ts";
import { RateLimiter } from "../util/rate_limiter.ts";
import type { BackupJob } from "../config/backup_job.ts";
import type { ArchivedRecord } from "../archive/record.ts";
import type { Logger } from "../log.ts";
import { Mutex } from "../util/mutex.ts";
import { BackupToolError } from "../errors.ts";
import { explainGroupError } from "../kafka/authorization.ts";
import { type ChunkLimits, OpenChunk, payloadBytesOf } from "./open_chunk.ts";
import type { ChunkSink } from "./chunk_sink.ts";
import { tpKey, type WorkerCounters } from "./messages.ts";
import {
  alignment,
  isAtEnd,
  keptAcrossRebalance,
  largestOpen,
  type PartitionState as GenericPartitionState,
  startState,
} from "./partition_state.ts";

type PartitionState = GenericPartitionState<OpenChunk>;

export interface BackupConsumerOptions {
  kafka: Kafka;
  job: BackupJob;
  topics: string[];
  endOffsets: Record<string, number> | null;
  timestampTypes: Record<string, "CreateTime" | "LogAppendTime">;
  sink: ChunkSink;
  logger: Logger;
  /** Once mode: hears when a partition's commit reached its end (the main thread checks at once). */
  onPartitionDone?: () => void;
  /** Which process this consumer belongs to, for the group's assigner (process_assigner.ts). */
  member: { process: string; threads: number; index: number };
}

/** A consumed record as the archive keeps it (offsets and timestamps past 2^53 cannot be). */
function toArchived(message: KafkaMessage): ArchivedRecord {
  const { offset, timestamp, key, value, headers } = consumedRecord(message);
  if (typeof offset !== "number" || typeof timestamp !== "number") {
    throw new RangeError(`Offset ${offset} or timestamp ${timestamp} is past 2^53: not archivable`);
  }
  return { offset, timestamp, key, value, headers };
}

export class BackupConsumer {
  /** The counters, with the sink's queue as it is now. */
  snapshot(): WorkerCounters {
    return { ...this.counters, queuedBytes: this.#options.sink.pendingBytes };
  }

  readonly counters: WorkerCounters = {
    records: 0,
    bytes: 0,
    chunks: 0,
    storedBytes: 0,
    storedRecords: 0,
  };
  readonly #options: BackupConsumerOptions;
  readonly #limits: ChunkLimits;
  readonly #states = new Map<string, PartitionState>();
  readonly #mutex = new Mutex();
  #consumer: Consumer | null = null;
  #admin: Admin | null = null;
  #ageTimer: ReturnType<typeof setInterval> | undefined;
  #rebalancing = false;
  #failure: ((error: unknown) => void) | null = null;
  /** Keeps the group session alive while a store waits for room (kafkajs heartbeats only between batches). */
  #heartbeat: () => Promise<void> = () => Promise.resolve();
  /** Payload bytes held in the open chunks of all this consumer's partitions. */
  #openBytes = 0;
  /** This consumer's member id in the group's current generation. */
  #memberId: string | null = null;
  /** MAX_BYTES_PER_SECOND, this consumer's share of it. */
  readonly #limiter: RateLimiter | null;

  constructor(options: BackupConsumerOptions) {
    this.#options = options;
    this.#limits = {
      maxRecords: options.job.messagesPerChunk,
      maxBytes: options.job.maxChunkBytes,
      maxAgeMs: options.job.maxChunkAgeSeconds * 1000,
    };
    const limit = options.job.operations.maxBytesPerSecond;
    this.#limiter = limit ? new RateLimiter(limit / options.job.threads) : null;
  }

  /**
   * Connects and subscribes, without joining the group yet: a process's consumers join
   * together (see `run`). `onFailure` hears of errors that stop this consumer.
   */
  async prepare(onFailure: (error: unknown) => void): Promise<void> {
    this.#failure = onFailure;
    const { kafka, job, topics, member } = this.#options;
    const consumer = kafka.consumer({
      groupId: job.groupId,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      // A killed backup holds its partitions until its session expires: keep that short
      // (stores are quick, and a store waiting for staging room sends heartbeats).
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // Each fetched response is garbage once stored, and V8 lets ~64 MiB of it pile up per
      // Worker before collecting: small fetches cut the peak by ~100 MiB (4 MiB and 10 MiB
      // before), with no loss of speed measured at the defaults.
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 3 * 1024 * 1024,
      // Long polls delay leaving the group at stop (the fetch in flight is waited for).
      maxWaitTimeInMs: 250,
      // How long the group waits for members to rejoin: this one first waits for its
      // chunks to be durable (uploads included), so allow for a slow object store.
      rebalanceTimeout: 300_000,
      partitionAssigners: processAssigners(member.process, member.threads, member.index),
    });
    this.#consumer = consumer;
    beforeEveryJoin(consumer, () => this.#settleBeforeJoin());
    consumer.on(consumer.events.REBALANCING, () => {
      this.#rebalancing = true;
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const { memberId, memberAssignment } = event.payload;
      const assigned = Object.entries(memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((p) => tpKey(topic, p))
      );
      this.#options.logger.debug(`joined the group; assigned partitions: ${assigned.join(",")}`);
      this.#mutex.run(async () => {
        this.#rebalancing = false;
        this.#keepAcrossRebalance(memberId, memberAssignment);
        await this.#primeAssigned(memberAssignment);
      }).catch((error) => this.#failure?.(error));
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      // Batches of only control or aborted records never reach eachBatch, but they move
      // the position: without this a partition ending in a transaction marker never ends.
      if (event.payload.batchSize > 0) return;
      const { topic, partition, firstOffset, lastOffset } = event.payload;
      const first = Number(firstOffset ?? lastOffset);
      this.#mutex.run(() => this.#onFilteredBatch(topic, partition, first, Number(lastOffset)))
        .catch((error) => this.#failure?.(error));
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        this.#failure?.(
          explainGroupError(event.payload.error, job.kafka, job.groupId),
        );
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
  }

  /** Joins the group and starts consuming. */
  async run(): Promise<void> {
    const consumer = this.#consumer!;
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) =>
        this.#mutex.run(() => this.#onBatch(payload)).catch((error) => {
          // kafkajs wraps what it will not retry and keeps only an error's cause (for a
          // full disk: the OS error), so ours is reported as it is first (exit 4, not 3).
          if (error instanceof BackupToolError) this.#failure?.(error);
          throw error;
        }),
    });
    this.#ageTimer = setInterval(() => {
      this.#mutex.run(() => this.#storeOldChunks()).catch((error) => this.#failure?.(error));
    }, 1000);
  }

  /** Stores every open chunk, commits, and leaves the group. */
  async stop(): Promise<void> {
    clearInterval(this.#ageTimer);
    const consumer = this.#consumer;
    if (!consumer) return;
    await consumer.pause(this.#options.topics.map((topic) => ({ topic })));
    await this.#mutex.run(async () => {
      for (const state of this.#states.values()) if (state.chunk) await this.#store(state);
    });
    await this.#options.sink.drain();
    await consumer.disconnect();
    await this.#admin?.disconnect();
    this.#admin = null;
    this.#consumer = null;
  }

  /**
   * Before (re)joining the group: no new stores start, and every chunk already taken by
   * the sink becomes durable. Otherwise a partition's next owner (another Worker or
   * process) could resume from an archive still missing a chunk of ours and store its
   * records a second time, or remove our half-written chunk as a crash leftover.
   */
  async #settleBeforeJoin(): Promise<void> {
    this.#rebalancing = true;
    // A failed write has already stopped this consumer (`onFailure`); nothing to wait for.
    await this.#mutex.run(() => this.#options.sink.drain().catch(() => {}));
  }

  /**
   * After a rebalance, a partition this member owned in the previous generation and owns
   * again keeps its open chunk: nobody else can have read it in between (the member id
   * is the same, so this member was in every generation since). Every other open chunk
   * is dropped unstored, and its partition's next owner reads it again from Kafka.
   */
  #keepAcrossRebalance(memberId: string, assignment: Record<string, number[]>): void {
    const kept = keptAcrossRebalance(memberId === this.#memberId, assignment);
    this.#memberId = memberId;
    for (const [key, state] of this.#states) {
      if (kept.has(key)) continue;
      if (state.chunk) {
        this.#openBytes -= state.chunk.bytes;
        state.chunk.discard();
      }
      this.#states.delete(key);
    }
  }

  /**
   * Every newly assigned partition starts where storage says, before any batch: a group
   * already at the end (it reached it for another archive: a new bucket, an emptied
   * directory) would otherwise fetch nothing, and nothing would send it back.
   */
  async #primeAssigned(assignment: Record<string, number[]>): Promise<void> {
    const admin = await this.#connectedAdmin();
    for (const [topic, partitions] of Object.entries(assignment)) {
      const fresh = partitions.filter((p) => !this.#states.has(tpKey(topic, p)));
      if (fresh.length === 0) continue;
      const [committed] = await admin.fetchOffsets({
        groupId: this.#options.job.groupId,
        topics: [topic],
      });
      for (const partition of fresh) {
        const offset = Number(committed.partitions.find((p) => p.partition === partition)?.offset);
        const state = await this.#stateFor(topic, partition, offset >= 0 ? offset : -1);
        // Not marked as sought: a batch fetched from the old position still seeks back.
        if (offset !== state.position) {
          this.#consumer!.seek({ topic, partition, offset: String(state.position) });
        }
      }
    }
  }

  /** One admin client for the consumer's offset look-ups, connected on first use. */
  async #connectedAdmin(): Promise<Admin> {
    if (!this.#admin) {
      const admin = this.#options.kafka.admin();
      await admin.connect();
      this.#admin = admin;
    }
    return this.#admin;
  }

  async #stateFor(
    topic: string,
    partition: number,
    fetchedOffset: number,
  ): Promise<PartitionState> {
    const key = tpKey(topic, partition);
    const existing = this.#states.get(key);
    if (existing) return existing;
    const { sink, logger } = this.#options;
    let start = await sink.resumePosition(topic, partition);
    if (start === null) {
      // Nothing stored yet: the backup starts at the oldest offset Kafka still has.
      const offsets = await partitionOffsets(await this.#connectedAdmin(), topic);
      start = offsets.find((o) => o.partition === partition)?.low ?? 0;
    }
    const state: PartitionState = startState(topic, partition, start);
    this.#states.set(key, state);
    if (fetchedOffset !== start) {
      logger.info(
        `${key}: continuing at offset ${start} from storage (group offset was ${fetchedOffset})`,
      );
      await this.#commit(state, start);
    }
    return state;
  }

  async #onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    this.#heartbeat = payload.heartbeat;
    if (this.#rebalancing || payload.isStale()) return;
    const fetchedOffset = Number((batch as unknown as { fetchedOffset: string }).fetchedOffset);
    const state = await this.#stateFor(batch.topic, batch.partition, fetchedOffset);
    if (state.done) return;
    if (!this.#alignTo(state, fetchedOffset)) return;
    // Records go to the open chunk in slices: as many as fit, then the chunk is stored.
    let pending: ArchivedRecord[] = [];
    let pendingBytes = 0;
    let read = 0;
    for (const message of batch.messages) {
      const record = toArchived(message);
      if (record.offset < state.position) continue;
      pending.push(record);
      pendingBytes += payloadBytesOf(record);
      this.counters.records++;
      read += (record.value?.length ?? 0) + (record.key?.length ?? 0);
      state.position = record.offset + 1;
      state.chunk ??= this.#openChunk(state);
      if (state.chunk.isFull(this.#limits, pending.length, pendingBytes)) {
        await this.#append(state, pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        await this.#store(state);
      }
    }
    if (pending.length > 0) await this.#append(state, pending, pendingBytes);
    this.counters.bytes += read;
    // MAX_BYTES_PER_SECOND: the next fetch waits, keeping the group session alive.
    await this.#limiter?.take(read, () => payload.heartbeat());
    if (this.#openBytes > this.#limits.maxBytes) await this.#storeLargest();
    state.position = Math.max(state.position, Number(batch.lastOffset()) + 1);
    await this.#finishIfAtEnd(state);
    await payload.heartbeat();
  }

  /**
   * False when the batch must be skipped because the consumer was sent back to the
   * stored position (the group was ahead of storage: storage is the truth).
   */
  #alignTo(state: PartitionState, fetchedOffset: number): boolean {
    const decision = alignment(state, fetchedOffset);
    if (decision === "read") return true;
    if (decision === "seek") {
      state.sought = true;
      this.#consumer!.seek({
        topic: state.topic,
        partition: state.partition,
        offset: String(state.position),
      });
      return false;
    }
    // Sought once and Kafka still starts later: retention removed the offsets between.
    this.#options.logger.warn(
      `${tpKey(state.topic, state.partition)}: offsets ${state.position}..${fetchedOffset - 1} ` +
        `are no longer in Kafka (retention); recorded as a gap`,
    );
    state.position = fetchedOffset;
    return true;
  }

  async #onFilteredBatch(
    topic: string,
    partition: number,
    firstOffset: number,
    lastOffset: number,
  ): Promise<void> {
    if (this.#rebalancing) return;
    const state = await this.#stateFor(topic, partition, firstOffset);
    if (state.done || !this.#alignTo(state, firstOffset)) return;
    state.position = Math.max(state.position, lastOffset + 1);
    if (!state.chunk) await this.#commitAfterStored(state, state.position);
    await this.#finishIfAtEnd(state);
  }

  /** Once mode: a partition at its captured end stores its chunk and stops reading. */
  async #finishIfAtEnd(state: PartitionState): Promise<void> {
    const end = this.#options.endOffsets?.[tpKey(state.topic, state.partition)];
    if (!isAtEnd(state, end)) return;
    if (state.chunk) await this.#store(state);
    else await this.#commitAfterStored(state, state.position);
    state.done = true;
    this.#consumer!.pause([{ topic: state.topic, partitions: [state.partition] }]);
  }

  /**
   * Memory stays bounded whatever the partition count: when the open chunks together pass
   * MAX_CHUNK_BYTES, the largest one is stored early.
   */
  async #storeLargest(): Promise<void> {
    const largest = largestOpen(this.#states.values());
    if (largest) await this.#store(largest);
  }

  async #storeOldChunks(): Promise<void> {
    if (this.#rebalancing) return;
    for (const state of this.#states.values()) {
      if (state.chunk?.isOld(this.#limits)) await this.#store(state);
    }
  }

  #openChunk(state: PartitionState): OpenChunk {
    const { job, timestampTypes } = this.#options;
    return new OpenChunk({
      topic: state.topic,
      partition: state.partition,
      from: state.storedNext,
      timestampType: timestampTypes[state.topic] ?? "CreateTime",
      codec: job.compression,
      level: job.compressionLevel,
      encryption: job.encryption,
    });
  }

  async #append(state: PartitionState, records: ArchivedRecord[], bytes: number): Promise<void> {
    await state.chunk!.append(records, bytes);
    this.#openBytes += bytes;
  }

  /** Seals the open chunk [from, position - 1], stores it, and once durable commits one past it. */
  async #store(state: PartitionState): Promise<void> {
    const chunk = state.chunk!;
    state.chunk = null;
    this.#openBytes -= chunk.bytes;
    const { sink } = this.#options;
    const encoded = await chunk.seal(state.position - 1);
    const next = state.position;
    state.storedNext = next;
    // The callback keeps only numbers: a staged chunk's bytes must not stay in memory.
    const storedBytes = encoded.bytes.length;
    const storedRecords = encoded.entry.count;
    const key = encoded.key;
    await sink.store(encoded, async () => {
      this.counters.chunks++;
      this.counters.storedBytes += storedBytes;
      this.counters.storedRecords += storedRecords;
      this.#options.logger.info(`Created Successful Backupfile ${sink.location}/${key}`);
      await this.#commit(state, next);
    }, () => this.#heartbeat());
  }

  /** Commits `offset` once the partition's chunks still on their way to storage are there. */
  #commitAfterStored(state: PartitionState, offset: number): Promise<void> {
    return this.#options.sink.afterStored(
      state.topic,
      state.partition,
      () => this.#commit(state, offset),
    );
  }

  async #commit(state: PartitionState, offset: number): Promise<void> {
    try {
      await this.#consumer!.commitOffsets([{
        topic: state.topic,
        partition: state.partition,
        offset: String(offset),
      }]);
      const end = this.#options.endOffsets?.[tpKey(state.topic, state.partition)];
      if (end !== undefined && offset >= end) this.#options.onPartitionDone?.();
    } catch (error) {
      // Storage already holds the data; a lost commit only means a re-read that is skipped.
      this.#options.logger.warn(
        `${tpKey(state.topic, state.partition)}: commit of ${offset} failed: ${error}`,
      );
    }
  }
}
