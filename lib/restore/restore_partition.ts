/**
 * Restores one source partition: verifies each chunk before any of its records is sent,
 * then produces the records in Kafka transactions that also move the partition's
 * checkpoint (see checkpoint.ts), so a kill at any moment loses and duplicates nothing.
 */
import { type Admin, type Kafka, Partitioners, type Producer } from "../kafka/kafkajs.ts";
import type { StorageBackend } from "../storage/backend.ts";
import type { ChunkIndexEntry } from "../archive/index_entry.ts";
import type { ArchivedRecord } from "../archive/record.ts";
import {
  decodeVerifiedChunk,
  fetchVerifiedChunk,
  prunedSinceRead,
  type VerifiedChunkFile,
} from "../archive/store.ts";
import type { ByteBudget } from "../util/byte_budget.ts";
import type { DecryptionKeys } from "../archive/encryption.ts";
import type { Logger } from "../log.ts";
import { RecordError } from "../errors.ts";
import {
  type Checkpoint,
  checkpointGroup,
  type CheckpointId,
  readCheckpointState,
} from "./checkpoint.ts";
import { choosePartition, type Strategy } from "./partitioner.ts";
import { recordSize } from "./record_size.ts";
import type { TransactionLimits } from "./transaction_slices.ts";
import {
  chunkTransactions,
  entriesToRestore,
  type RecordFilter,
  recordsToRestore,
} from "./partition_plan.ts";
import { type TransactionContext, writeTransaction } from "./transaction_writer.ts";
import { GroupTranslator } from "./group_translation.ts";
import type { GroupTask } from "./group_plan.ts";
import type { LockClient } from "./offset_locks.ts";
import { fetchTopicOffsets } from "../kafka/topics.ts";
import type { LatestPerKey } from "../config/latest_per_key_config.ts";
import { buildKeepSet, keeps, type KeepSet } from "./keep_set.ts";
import { pinLast, pinnedLast, rangeLast } from "./latest_range.ts";

export interface PartitionTask {
  checkpoint: CheckpointId;
  /** Where a restore that has no checkpoint yet starts. */
  firstOffset: number;
  targetPartitions: number;
  /** The target topic's max.message.bytes. */
  maxMessageBytes: number;
  /** A restoration point's bound: the last source offset to restore. */
  lastOffset?: number;
  /** The consumer groups whose offsets this partition's records settle (see group_translation.ts). */
  groups: GroupTask[];
  /** Committed with every checkpoint: the group snapshot the restore translates (pinned). */
  checkpointMetadata: string | null;
}

export interface RestoreSettings {
  strategy: Strategy;
  /** RECORDS_PER_TRANSACTION and BYTES_PER_TRANSACTION. */
  transactions: TransactionLimits;
  /** Also write the source -> target offset map to this topic (see offset_map.ts). */
  offsetMapTopic?: string;
  filter: RecordFilter;
  /** Shared by the partitions of one Worker: bounds the chunk bytes they hold at once. */
  budget: ByteBudget;
  /** The Worker's locks on (target group, target partition), for group offsets. */
  locks: LockClient;
  /** The Worker's share of the rate limits, shared by its partitions. */
  throttle?: (records: number, bytes: number) => Promise<void>;
  /** DECRYPTION_KEYS, for encrypted chunks. */
  keys?: DecryptionKeys;
  /** LATEST_PER_KEY: only the last record of each key in the range (keep_set.ts). */
  latestPerKey?: LatestPerKey;
}

/** A chunk file fetched ahead, and the release of the budget it holds. */
interface Fetched {
  file: VerifiedChunkFile | null;
  free: () => void;
}

/** What a chunk takes in memory while it is restored: its file, then its decoded body. */
const footprintOf = (entry: ChunkIndexEntry): number => entry.bytes + entry.uncompressedBytes;

/** Decodes the fetched file and lets go of it, so only the decoded body stays alive. */
function takeRecords(fetched: Fetched): ArchivedRecord[] {
  const { records } = decodeVerifiedChunk(fetched.file!);
  fetched.file = null;
  return records;
}

export interface RestoreCounters {
  records: number;
  bytes: number;
  chunks: number;
}

/** A producer for one partition's restore; connecting it fences and aborts a killed run's transaction. */
export async function connectRestoreProducer(kafka: Kafka, id: CheckpointId): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId: checkpointGroup(id),
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 60_000,
    allowAutoTopicCreation: false,
    // Every message names its partition; this only silences kafkajs's v2 notice.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

export class PartitionRestorer {
  readonly counters: RestoreCounters = { records: 0, bytes: 0, chunks: 0 };
  #next: number | null = null;
  readonly #context: TransactionContext;
  readonly #translator: GroupTranslator | null;
  #admin: Admin | null = null;
  /** LATEST_PER_KEY: the range's pinned last offset, and what of it to write. */
  #pinned: number | undefined;
  #keep: KeepSet | null = null;

  constructor(
    private readonly kafka: Kafka,
    producer: Producer,
    private readonly backend: StorageBackend,
    private readonly task: PartitionTask,
    private readonly settings: RestoreSettings,
    private readonly logger: Logger,
  ) {
    const { checkpoint, groups, targetPartitions } = task;
    this.#translator = groups.length === 0
      ? null
      : new GroupTranslator(groups, settings.strategy, checkpoint.partition, targetPartitions);
    this.#context = {
      producer,
      checkpoint,
      checkpointMetadata: task.checkpointMetadata,
      maxMessageBytes: task.maxMessageBytes,
      offsetMapTopic: settings.offsetMapTopic,
      throttle: settings.throttle,
      groups: this.#translator
        ? {
          translator: this.#translator,
          locks: settings.locks,
          admin: () => this.#connectedAdmin(),
        }
        : undefined,
    };
  }

  /** Restores every entry past the checkpoint. Returns when done or when `stopping()` says so. */
  async restore(entries: ChunkIndexEntry[], stopping: () => boolean): Promise<void> {
    if (this.#next === null) {
      const state = await readCheckpointState(await this.#connectedAdmin(), this.task.checkpoint);
      this.#next = state?.next ?? null;
      if (this.settings.latestPerKey) this.#pinRange(state, entries);
      // A first checkpoint, alone in a transaction, before any record: from now on this
      // job's checkpoint marks the target as ours, even if the next transaction is killed.
      if (this.#next === null) await this.#produce([], this.task.firstOffset);
    }
    const todo = entriesToRestore(entries, this.#next, this.#lastOffset());
    if (this.settings.latestPerKey && this.#keep === null) await this.#firstPass(todo);
    await this.#restoreEntries(todo, stopping);
  }

  /** LATEST_PER_KEY: the range's last offset, pinned by the first checkpoint (latest_range.ts). */
  #pinRange(state: Checkpoint | null, entries: ChunkIndexEntry[]): void {
    const last = rangeLast(pinnedLast(state?.metadata ?? null), this.#lastOffset(), entries);
    if (last === null) return;
    this.#pinned = last;
    this.#context.checkpointMetadata = pinLast(this.task.checkpointMetadata, last);
  }

  /** LATEST_PER_KEY: which records of the rest of the range to write. */
  async #firstPass(todo: ChunkIndexEntry[]): Promise<void> {
    const { sourceTopic, partition } = this.task.checkpoint;
    const started = Date.now();
    const start = this.#next!;
    const last = this.#lastOffset() ?? start - 1;
    this.#keep = await buildKeepSet(this.backend, {
      entries: todo,
      start,
      last,
      filter: this.settings.filter,
      keepTombstones: this.settings.latestPerKey!.keepTombstones,
    }, { keys: this.settings.keys, budget: this.settings.budget });
    this.logger.info(
      `${sourceTopic}/${partition}: latest per key writes ${this.#keep.kept} of the ` +
        `${this.#keep.inRange} records of offsets ${start}..${last} ` +
        `(first pass ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }

  /**
   * Once every chunk is restored (once mode): each group with nothing left to read on a
   * target partition gets that partition's end (see group_translation.ts).
   */
  async finishGroups(): Promise<void> {
    const candidates = this.#translator?.endCandidates() ?? [];
    if (candidates.length === 0 || this.#next === null) return;
    const admin = await this.#connectedAdmin();
    const end = async (partition: number) => {
      const offsets = await fetchTopicOffsets(admin, this.task.checkpoint.targetTopic);
      return Number(offsets.find((o) => o.partition === partition)!.high);
    };
    await writeTransaction(this.#context, [], [], this.#next, candidates, end);
  }

  async close(): Promise<void> {
    await this.#admin?.disconnect().catch(() => {});
    this.#admin = null;
  }

  async #connectedAdmin(): Promise<Admin> {
    if (!this.#admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.#admin = admin;
    }
    return this.#admin;
  }

  /** The last source offset to restore: END_OFFSET, a restoration point's bound, the pin. */
  #lastOffset(): number | undefined {
    const { endOffset } = this.settings.filter;
    const bounds = [endOffset, this.task.lastOffset, this.#pinned].filter((b) =>
      b !== undefined
    ) as number[];
    return bounds.length === 0 ? undefined : Math.min(...bounds);
  }

  async #restoreEntries(todo: ChunkIndexEntry[], stopping: () => boolean): Promise<void> {
    // The next chunk is downloaded and verified while one is produced; it is decoded only
    // when its turn comes. Each holds its share of the Worker's budget until it is done.
    const fetchAhead = (entry: ChunkIndexEntry): Promise<Fetched> => {
      const fetching = (async () => {
        const free = await this.settings.budget.reserve(footprintOf(entry));
        try {
          return { file: await fetchVerifiedChunk(this.backend, entry, this.settings.keys), free };
        } catch (error) {
          free();
          if (await this.#prunedMeanwhile(entry, error)) return { file: null, free: () => {} };
          throw error;
        }
      })();
      fetching.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
      return fetching;
    };
    let ahead = todo.length > 0 ? fetchAhead(todo[0]) : null;
    try {
      for (let i = 0; i < todo.length; i++) {
        const fetched = await ahead!;
        ahead = null;
        try {
          if (stopping()) return;
          ahead = i + 1 < todo.length ? fetchAhead(todo[i + 1]) : null;
          if (fetched.file === null) continue; // pruned by retention meanwhile
          await this.#restoreChunk(todo[i], takeRecords(fetched));
        } finally {
          fetched.free();
        }
      }
    } finally {
      // Stopped or failed: what was fetched ahead gives its share back.
      ahead?.then((fetched) => fetched.free(), () => {});
    }
  }

  /**
   * True when the chunk `error` says is missing was pruned by retention while this
   * restore ran (it ends below the partition's archive start): its records are gone by
   * policy, and the restore goes on from the next chunk, as if the partition began there.
   */
  async #prunedMeanwhile(entry: ChunkIndexEntry, error: unknown): Promise<boolean> {
    const start = await prunedSinceRead(this.backend, entry, error);
    if (start === null) return false;
    this.logger.warn(
      `${entry.topic}/${entry.partition}: chunk ${entry.key} was pruned by retention while ` +
        `this restore ran; the partition's archive now starts at offset ${start}`,
    );
    return true;
  }

  async #restoreChunk(entry: ChunkIndexEntry, records: ArchivedRecord[]): Promise<void> {
    const start = this.#next ?? entry.from;
    const keep = this.#keep;
    const todo = recordsToRestore(records, start, this.settings.filter, this.#lastOffset())
      .filter((r) => keep === null || keeps(keep, r));
    this.#checkSizes(todo);
    const { transactions } = this.settings;
    for (const { records, next } of chunkTransactions(entry, todo, transactions, this.#next)) {
      await this.#produce(records, next);
    }
    this.counters.chunks++;
  }

  #checkSizes(records: ArchivedRecord[]): void {
    const { checkpoint, maxMessageBytes } = this.task;
    for (const record of records) {
      if (recordSize(record) > maxMessageBytes) {
        throw new RecordError(
          `Record ${checkpoint.sourceTopic}/${checkpoint.partition} offset ${record.offset} ` +
            `(${recordSize(record)} bytes) is larger than max.message.bytes=${maxMessageBytes} ` +
            `of target topic ${checkpoint.targetTopic}`,
        );
      }
    }
  }

  /** One transaction: the records, the group offsets they settle, the checkpoint `next`. */
  async #produce(records: ArchivedRecord[], next: number): Promise<void> {
    const { checkpoint, targetPartitions } = this.task;
    const partitions = records.map((r) =>
      choosePartition(this.settings.strategy, checkpoint.partition, r.key, targetPartitions)
    );
    const candidates = this.#translator?.candidates(records, partitions) ?? [];
    await writeTransaction(this.#context, records, partitions, next, candidates);
    this.#next = next;
    this.counters.records += records.length;
    for (const r of records) this.counters.bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    this.logger.debug(
      `${checkpoint.sourceTopic}/${checkpoint.partition}: restored up to offset ${next - 1}`,
    );
  }
}
