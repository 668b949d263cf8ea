/**
 * The storage contract. Every backend (local directory, S3, Azure Blob) implements
 * exactly this, and cross-cutting behaviour (retries, logging) wraps a backend
 * instead of living inside each one.
 *
 * Keys are relative, "/"-separated paths (see `validateKey` in keys.ts); a backend
 * maps them under its root (a directory, or a bucket/container plus optional prefix).
 */

/** What a listing or `stat` says about one stored object. */
export interface ObjectInfo {
  /** The key, relative to the backend root. */
  key: string;
  /** Size in bytes. */
  size: number;
}

export interface StorageBackend {
  /** Where this backend stores, for messages: `file:///backups`, `s3://bucket/prefix`. Never a secret. */
  readonly location: string;

  /** The service URL a network backend talks to, for messages (no query, never a secret). */
  readonly endpoint?: string;

  /**
   * Stores `data` under `key`, replacing any object there. Atomic: a reader sees the
   * old object, no object, or the whole new one, never a part. Durable when it resolves.
   */
  put(key: string, data: Uint8Array): Promise<void>;

  /** The whole object. Throws `NotFoundError` when there is none. */
  get(key: string): Promise<Uint8Array>;

  /** The object as a stream. Throws `NotFoundError` when there is none. */
  getStream(key: string): Promise<ReadableStream<Uint8Array>>;

  /** Size of the object, or `null` when there is none. */
  stat(key: string): Promise<ObjectInfo | null>;

  /**
   * Every object whose key starts with `prefix`, sorted by key (byte order), paging
   * hidden. Temporary files of an unfinished `put` are never listed.
   */
  list(prefix: string): AsyncIterable<ObjectInfo>;

  /** Removes the object. Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;

  /** Releases connections. The backend is unusable afterwards. */
  close(): Promise<void>;
}
