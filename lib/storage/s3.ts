/**
 * Amazon S3 (and S3-compatible) storage. Credentials come only from the AWS SDK's
 * default chain (environment, shared config, instance role); this module never sees
 * or prints a secret.
 */

import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
  type StorageClass,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { NotFoundError, StorageError } from "../errors.ts";
import type { ObjectInfo, StorageBackend } from "./backend.ts";
import { validateKey, validatePrefix } from "./keys.ts";
import { isRetriable } from "./retriable.ts";
import { readAll, stalledDownload, withReadTimeout } from "./read_timeout.ts";
import { AnswerTimeoutHandler } from "./s3_timeout.ts";

const MiB = 1024 * 1024;

/** Options of {@linkcode S3Backend}. */
export interface S3BackendOptions {
  bucket: string;
  /** Key prefix inside the bucket, e.g. `kafka/prod`; keys are stored as `<prefix>/<key>`. */
  prefix?: string;
  /** Endpoint of an S3-compatible server (MinIO, Ceph...); default: AWS for the region. */
  endpoint?: string;
  /** Default: the SDK chain (`AWS_REGION`, shared config). */
  region?: string;
  /** Path-style addressing; default true when `endpoint` is set, as most compatible servers need it. */
  forcePathStyle?: boolean;
  /** e.g. `STANDARD_IA`; default: the bucket's default. */
  storageClass?: string;
  /**
   * Objects of at least this many bytes are sent as a multipart upload (default 8 MiB, so
   * that no request carries more than the request timeout is meant for).
   */
  multipartThreshold?: number;
  /** Part size of multipart uploads (default 8 MiB; S3's minimum is 5 MiB). */
  partSize?: number;
  /** Keys per ListObjectsV2 page (default 1000, S3's maximum). */
  listPageSize?: number;
  /**
   * A request not answered this long is abandoned and retried, and so is a download whose
   * bytes stop arriving this long (default 60 s).
   */
  timeoutMs?: number;
}

// S3 error names that mean "this will not work until an operator fixes something".
const ACCESS_ERRORS = new Set([
  ..."AccessDenied InvalidAccessKeyId SignatureDoesNotMatch Forbidden".split(" "),
  ..."InvalidToken ExpiredToken AllAccessDisabled AccountProblem".split(" "),
]);
// ...and those that mean "the service is overloaded or hiccupped".
const TRANSIENT_ERRORS = new Set([
  ..."SlowDown Throttling ThrottlingException TooManyRequestsException".split(" "),
  ..."RequestTimeout RequestTimeoutException TimeoutError".split(" "),
  ..."InternalError ServiceUnavailable".split(" "),
]);
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

/** Stores objects in one S3 bucket, optionally under a key prefix. */
export class S3Backend implements StorageBackend {
  readonly location: string;
  readonly endpoint: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #root: string;
  readonly #storageClass?: StorageClass;
  readonly #multipartThreshold: number;
  readonly #partSize: number;
  readonly #listPageSize: number;
  readonly #timeoutMs: number;
  #bucketChecked = false;

  constructor(options: S3BackendOptions) {
    const prefix = validatePrefix((options.prefix ?? "").replace(/^\/+|\/+$/g, ""));
    this.#bucket = options.bucket;
    this.#root = prefix ? `${prefix}/` : "";
    this.location = `s3://${options.bucket}${prefix ? `/${prefix}` : ""}`;
    this.endpoint = options.endpoint ??
      (options.region
        ? `https://s3.${options.region}.amazonaws.com`
        : "AWS S3 (region from the environment)");
    this.#storageClass = options.storageClass as StorageClass | undefined;
    this.#partSize = Math.max(options.partSize ?? 8 * MiB, 5 * MiB);
    this.#multipartThreshold = options.multipartThreshold ?? 8 * MiB;
    this.#listPageSize = options.listPageSize ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // The default flexible checksums are stored as corrupt bytes by some compatible servers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // Without timeouts a request whose connection stalls waits forever (seen in the
      // benchmark and with a server that never answers); a timed-out request is retried.
      requestHandler: new AnswerTimeoutHandler(this.#timeoutMs),
    });
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const params = {
      Bucket: this.#bucket,
      Key: this.#name(key),
      Body: data,
      StorageClass: this.#storageClass,
    };
    try {
      if (data.byteLength < this.#multipartThreshold) {
        await this.#client.send(new PutObjectCommand(params));
      } else {
        // Multipart objects appear only on CompleteMultipartUpload, so this stays atomic.
        await new Upload({ client: this.#client, params, partSize: this.#partSize }).done();
      }
    } catch (error) {
      throw this.#mapError(error, "put", key);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const stream = await this.getStream(key);
    try {
      return await readAll(stream);
    } catch (error) {
      throw this.#mapError(error, "get", key);
    }
  }

  async getStream(key: string): Promise<ReadableStream<Uint8Array>> {
    // In Deno the body is a Node stream: async iterable, as the read clock needs.
    const body = await this.#getBody(key) as unknown as AsyncIterable<Uint8Array>;
    const stalled = () => stalledDownload(key, this.location, this.#timeoutMs);
    return withReadTimeout(body, this.#timeoutMs, stalled);
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#name(key) }),
      );
      return { key, size: head.ContentLength ?? 0 };
    } catch (error) {
      if (statusOf(error) !== 404) throw this.#mapError(error, "stat", key);
      // A HEAD response has no body, so a missing bucket looks like a missing key: check once.
      await this.#checkBucket(key);
      return null;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#root + validatePrefix(prefix),
            ContinuationToken: token,
            MaxKeys: this.#listPageSize,
          }),
        );
      } catch (error) {
        throw this.#mapError(error, "list", prefix);
      }
      // S3 returns keys in UTF-8 byte order; stripping a common prefix keeps that order.
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key.slice(this.#root.length), size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    try {
      // S3 answers 204 for a missing key too, which makes delete idempotent.
      await this.#client.send(
        new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#name(key) }),
      );
    } catch (error) {
      throw this.#mapError(error, "delete", key);
    }
  }

  close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }

  /** The object name of a key: validated, under the prefix. */
  #name(key: string): string {
    return this.#root + validateKey(key);
  }

  async #getBody(key: string) {
    try {
      const response = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#name(key) }),
      );
      if (!response.Body) {
        throw new StorageError(`S3 returned no body for ${key} (${this.location})`);
      }
      return response.Body;
    } catch (error) {
      throw this.#mapError(error, "get", key);
    }
  }

  async #checkBucket(key: string): Promise<void> {
    if (this.#bucketChecked) return;
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (error) {
      const name = statusOf(error) === 404 ? "NoSuchBucket" : undefined;
      throw this.#mapError(error, "stat", key, name);
    }
    this.#bucketChecked = true;
  }

  /** Turns any SDK failure into a `StorageError` whose `retriable` says whether to try again. */
  #mapError(error: unknown, op: string, key: string, nameOverride?: string): Error {
    if (error instanceof StorageError) return error;
    if (PROGRAMMING_ERRORS.some((cls) => error instanceof cls)) return error as Error;
    const name = nameOverride ?? (error instanceof Error ? error.name : "Error");
    const status = statusOf(error);
    const what = `${op} ${key ? `${key} ` : ""}in ${this.location}`;
    if ((name === "NoSuchKey" || name === "NotFound") && op !== "list") {
      return new NotFoundError(key, this.location);
    }
    const label = name === "Error" ? "" : `${name}${status ? ` (HTTP ${status})` : ""}: `;
    const detail = scrub(label + messageOf(error));
    if (name === "NoSuchBucket") {
      return new StorageError(`Cannot ${what}: bucket "${this.#bucket}" does not exist`);
    }
    if (ACCESS_ERRORS.has(name) || status === 401 || status === 403) {
      return new StorageError(
        `Cannot ${what}: access to bucket "${this.#bucket}" was refused (${detail}). ` +
          "Check the AWS credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profile or role) " +
          "and the bucket policy",
      );
    }
    if (name === "CredentialsProviderError") {
      return new StorageError(
        `Cannot ${what}: no AWS credentials found for bucket "${this.#bucket}". ` +
          "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an IAM role",
      );
    }
    const sdk = error as Partial<S3ServiceException>;
    const retriable = isRetriable(error) || TRANSIENT_ERRORS.has(name) ||
      sdk.$retryable !== undefined || sdk.$fault === "server" ||
      (status !== undefined && (status >= 500 || status === 429));
    return new StorageError(`Cannot ${what}: ${detail}`, { retriable });
  }
}

function statusOf(error: unknown): number | undefined {
  const sdk = error as {
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
  };
  // An error body the SDK cannot parse (a 500 page of a proxy or load balancer) leaves
  // the status on the raw response only: it is still a 5xx, to be retried.
  return sdk?.$metadata?.httpStatusCode ?? sdk?.$response?.statusCode;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && !message.includes(code) ? `${message} [${code}]` : message;
}

/** Removes any credential value from a message, in case a server or the SDK echoes one. */
function scrub(message: string): string {
  let out = message;
  for (const name of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
    const value = Deno.env.get(name);
    if (value && value.length >= 4) out = out.replaceAll(value, "***");
  }
  return out;
}
