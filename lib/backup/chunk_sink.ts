/**
 * Where sealed chunks go. Local archives are written in place. Cloud archives are first
 * written to the staging directory and uploaded in the background (bounded concurrency,
 * one partition's chunks in order), so consumers keep consuming while uploads run; when
 * staged bytes pass the limit, `store` waits (back-pressure) until uploads free space.
 * Either way `onDurable` (which commits the group offset) runs only once the archive's
 * final storage holds the chunk.
 */
import type { StorageBackend } from "../storage/backend.ts";
import type { EncodedChunk } from "../archive/chunk_encode.ts";
import { readPartitionIndex, storeChunk } from "../archive/store.ts";
import type { Logger } from "../log.ts";
import { Semaphore } from "../util/semaphore.ts";
import { resumePosition } from "./resume.ts";
import { uploadStaged } from "./staged_upload.ts";
import { tpKey } from "./messages.ts";

export interface ChunkSink {
  /** Where messages say a chunk went. */
  readonly location: string;
  /** Takes a sealed chunk; may wait for room (calling `heartbeat` meanwhile). */
  store(
    encoded: EncodedChunk,
    onDurable: () => Promise<void>,
    heartbeat: () => Promise<void>,
  ): Promise<void>;
  /** One past the last chunk of the partition, staged or stored; null when there is none. */
  resumePosition(topic: string, partition: number): Promise<number | null>;
  /** Runs `action` once every chunk of the partition taken so far is in its final storage. */
  afterStored(topic: string, partition: number, action: () => Promise<void>): Promise<void>;
  /** Waits until every chunk taken is in its final storage. */
  drain(): Promise<void>;
}

/** Writes chunks straight into the archive (local directories). */
export class DirectSink implements ChunkSink {
  constructor(private readonly backend: StorageBackend, private readonly logger: Logger) {}

  get location(): string {
    return this.backend.location;
  }

  async store(encoded: EncodedChunk, onDurable: () => Promise<void>): Promise<void> {
    await storeChunk(this.backend, encoded);
    await onDurable();
  }

  resumePosition(topic: string, partition: number): Promise<number | null> {
    return resumePosition(this.backend, topic, partition, this.logger);
  }

  afterStored(_topic: string, _partition: number, action: () => Promise<void>): Promise<void> {
    return action();
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }
}

/** Stages chunks locally and uploads them in the background. */
export class StagedUploadSink implements ChunkSink {
  readonly #uploads: Semaphore;
  /** The tail of each partition's upload chain: a partition's chunks upload in order. */
  readonly #chains = new Map<string, Promise<void>>();
  #stagedBytes = 0;
  #failure: unknown = null;
  #freed: () => void = () => {};

  constructor(
    private readonly staging: StorageBackend,
    private readonly remote: StorageBackend,
    private readonly limitBytes: number,
    concurrency: number,
    private readonly logger: Logger,
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.#uploads = new Semaphore(concurrency);
  }

  get location(): string {
    return this.remote.location;
  }

  /** Bytes of chunks staged and not yet uploaded. */
  get stagedBytes(): number {
    return this.#stagedBytes;
  }

  async store(
    encoded: EncodedChunk,
    onDurable: () => Promise<void>,
    heartbeat: () => Promise<void>,
  ) {
    if (this.#failure) throw this.#failure;
    // Back-pressure: wait for room before staging more, keeping the group session alive.
    while (this.#stagedBytes > 0 && this.#stagedBytes + encoded.bytes.length > this.limitBytes) {
      await Promise.race([new Promise<void>((resolve) => (this.#freed = resolve)), sleep(1000)]);
      if (this.#failure) throw this.#failure;
      await heartbeat();
    }
    await storeChunk(this.staging, encoded);
    this.#stagedBytes += encoded.bytes.length;
    const key = tpKey(encoded.entry.topic, encoded.entry.partition);
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#upload(encoded, onDurable));
    this.#chains.set(key, next.catch(() => {}));
  }

  async #upload(encoded: EncodedChunk, onDurable: () => Promise<void>): Promise<void> {
    if (this.#failure) return;
    try {
      await this.#uploads.run(() => uploadStaged(this.staging, this.remote, encoded.entry));
      this.logger.info(`upload successful at ${this.remote.location}/${encoded.key}`);
      await onDurable();
    } catch (error) {
      this.#failure ??= error;
      this.onFailure(error);
    } finally {
      this.#stagedBytes -= encoded.bytes.length;
      this.#freed();
    }
  }

  async resumePosition(topic: string, partition: number): Promise<number | null> {
    // This worker's own uploads of the partition finish first, so the listing is settled.
    await this.#chains.get(tpKey(topic, partition));
    // Remote orphans stay: another worker's upload may be half way; readers ignore them.
    const stored = await resumePosition(this.remote, topic, partition, this.logger, false);
    const { entries } = await readPartitionIndex(this.staging, topic, partition);
    const staged = entries.length === 0 ? null : entries[entries.length - 1].to + 1;
    if (stored === null) return staged;
    return staged === null ? stored : Math.max(stored, staged);
  }

  afterStored(topic: string, partition: number, action: () => Promise<void>): Promise<void> {
    const key = tpKey(topic, partition);
    const pending = this.#chains.get(key);
    if (!pending) return action();
    this.#chains.set(
      key,
      pending.then(() => (this.#failure ? undefined : action())).catch(() => {}),
    );
    return Promise.resolve();
  }

  async drain(): Promise<void> {
    await Promise.all(this.#chains.values());
    if (this.#failure) throw this.#failure;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
