/**
 * Azure Blob Storage. Credentials come only from the environment:
 * `AZURE_STORAGE_CONNECTION_STRING`, or `AZURE_STORAGE_ACCOUNT` + `AZURE_STORAGE_KEY`,
 * or `AZURE_STORAGE_SAS_TOKEN` (with `accountUrl` or `AZURE_STORAGE_ACCOUNT`).
 */

import {
  AnonymousCredential,
  BlobServiceClient,
  type ContainerClient,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { NotFoundError, StorageError } from "../errors.ts";
import type { ObjectInfo, StorageBackend } from "./backend.ts";
import { validateKey, validatePrefix } from "./keys.ts";
import { isRetriable } from "./retriable.ts";
import { readAll, stalledDownload, withReadTimeout } from "./read_timeout.ts";
import { withinTime } from "./request_clock.ts";

/** Options of {@linkcode AzureBlobBackend}. */
export interface AzureBlobBackendOptions {
  container: string;
  /** Blob name prefix inside the container; blobs are stored as `<prefix>/<key>`. */
  prefix?: string;
  /** e.g. `https://acct.blob.core.windows.net`; default derived from `AZURE_STORAGE_ACCOUNT`. */
  accountUrl?: string;
  /** Blobs per listing page (default: the service's, 5000). */
  listPageSize?: number;
  /** Blobs larger than this are uploaded in blocks (default 8 MiB; the SDK's is 256 MiB). */
  singleShotLimit?: number;
  /** Block size of block uploads (default 4 MiB). */
  blockSize?: number;
  /**
   * A request not answered this long is abandoned and retried, and so is a download whose
   * bytes stop arriving this long (default 60 s). An upload gets it for each
   * `singleShotLimit` bytes it moves.
   */
  timeoutMs?: number;
}

const CREDENTIAL_VARS = "AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT and " +
  "AZURE_STORAGE_KEY, or AZURE_STORAGE_SAS_TOKEN (with accountUrl or AZURE_STORAGE_ACCOUNT)";
const ACCESS_ERRORS = new Set([
  "AuthenticationFailed",
  "AuthorizationFailure",
  "AuthorizationPermissionMismatch",
  "AuthorizationResourceTypeMismatch",
  "InsufficientAccountPermissions",
  "AccountIsDisabled",
  "InvalidAuthenticationInfo",
]);
const TRANSIENT_ERRORS = new Set([
  "ServerBusy",
  "OperationTimedOut",
  "InternalError",
  "REQUEST_SEND_ERROR",
]);
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];
// The SDK retries briefly by itself; longer outages are RetryingBackend's job.
const SDK_RETRY = { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 4000 };
const MiB = 1024 * 1024;

/** Stores block blobs in one container, optionally under a name prefix. */
export class AzureBlobBackend implements StorageBackend {
  readonly location: string;
  readonly endpoint: string;
  readonly #container: ContainerClient;
  readonly #name: string;
  readonly #root: string;
  readonly #listPageSize?: number;
  readonly #upload: { maxSingleShotSize: number; blockSize: number };
  readonly #timeoutMs: number;
  readonly #secrets: string[];

  /** Reads the credentials from the environment; throws `StorageError` naming the variables when none are set. */
  constructor(options: AzureBlobBackendOptions) {
    const prefix = validatePrefix((options.prefix ?? "").replace(/^\/+|\/+$/g, ""));
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    const { service, secrets } = serviceFromEnv(options.accountUrl);
    this.#secrets = secrets;
    this.#name = options.container;
    this.#root = prefix ? `${prefix}/` : "";
    this.#listPageSize = options.listPageSize;
    this.#upload = {
      maxSingleShotSize: options.singleShotLimit ?? 8 * MiB,
      blockSize: options.blockSize ?? 4 * MiB,
    };
    this.#container = service.getContainerClient(options.container);
    this.location = `azure://${service.accountName}/${options.container}` +
      (prefix ? `/${prefix}` : "");
    // A SAS travels in the URL's query: only origin and path name the endpoint.
    const url = new URL(service.url);
    this.endpoint = `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    try {
      // A block blob becomes visible only when its block list is committed: atomic.
      // Each block (or the single shot) of at most 8 MiB gets the whole timeout.
      const pieces = Math.max(1, Math.ceil(data.byteLength / this.#upload.maxSingleShotSize));
      await withinTime(
        this.#timeoutMs * pieces,
        (abortSignal) =>
          this.#container.getBlockBlobClient(this.#blob(key)).uploadData(data, {
            ...this.#upload,
            abortSignal,
          }),
      );
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
    try {
      const response = await withinTime(
        this.#timeoutMs,
        (abortSignal) =>
          this.#container.getBlobClient(this.#blob(key)).download(0, undefined, { abortSignal }),
      );
      const body = response.readableStreamBody;
      if (!body) throw new StorageError(`Azure returned no body for ${key} (${this.location})`);
      const stalled = () => stalledDownload(key, this.location, this.#timeoutMs);
      return withReadTimeout(body as AsyncIterable<Uint8Array>, this.#timeoutMs, stalled);
    } catch (error) {
      throw this.#mapError(error, "get", key);
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const props = await withinTime(
        this.#timeoutMs,
        (abortSignal) =>
          this.#container.getBlobClient(this.#blob(key)).getProperties({ abortSignal }),
      );
      return { key, size: props.contentLength ?? 0 };
    } catch (error) {
      if (codeOf(error) === "BlobNotFound") return null;
      throw this.#mapError(error, "stat", key);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const clock = new AbortController();
    const pages = this.#container.listBlobsFlat({
      prefix: this.#root + validatePrefix(prefix),
      abortSignal: clock.signal,
    }).byPage({ maxPageSize: this.#listPageSize });
    for (;;) {
      let page;
      try {
        page = await withinTime(this.#timeoutMs, () => pages.next(), clock);
      } catch (error) {
        throw this.#mapError(error, "list", prefix);
      }
      if (page.done) return;
      // The service lists blob names in lexical order; stripping a common prefix keeps it.
      for (const blob of page.value.segment.blobItems) {
        yield { key: blob.name.slice(this.#root.length), size: blob.properties.contentLength ?? 0 };
      }
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await withinTime(
        this.#timeoutMs,
        (abortSignal) =>
          this.#container.getBlobClient(this.#blob(key)).deleteIfExists({ abortSignal }),
      );
    } catch (error) {
      throw this.#mapError(error, "delete", key);
    }
  }

  close(): Promise<void> {
    return Promise.resolve(); // the SDK keeps no connections that need closing
  }

  /** The blob name of a key: validated, under the prefix. */
  #blob(key: string): string {
    return this.#root + validateKey(key);
  }

  /** Turns any SDK failure into a `StorageError` whose `retriable` says whether to try again. */
  #mapError(error: unknown, op: string, key: string): Error {
    if (error instanceof StorageError) return error;
    if (PROGRAMMING_ERRORS.some((cls) => error instanceof cls)) return error as Error;
    const code = codeOf(error);
    const status = (error as { statusCode?: number })?.statusCode;
    const what = `${op} ${key ? `${key} ` : ""}in ${this.location}`;
    if (code === "BlobNotFound") return new NotFoundError(key, this.location);
    if (code === "ContainerNotFound") {
      return new StorageError(`Cannot ${what}: container "${this.#name}" does not exist`);
    }
    // Azure messages go on with RequestId and Time lines: the first line says it all.
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    const label = `${code ?? "Error"}${status ? ` (HTTP ${status})` : ""}`;
    const detail = scrub(this.#secrets, message ? `${label}: ${message}` : label);
    if ((code && ACCESS_ERRORS.has(code)) || status === 401 || status === 403) {
      return new StorageError(
        `Cannot ${what}: access to container "${this.#name}" was refused (${detail}). ` +
          `Check the credentials in ${CREDENTIAL_VARS}`,
      );
    }
    const retriable = isRetriable(error) || (code !== undefined && TRANSIENT_ERRORS.has(code)) ||
      (status !== undefined && (status >= 500 || status === 408 || status === 429)) ||
      // Its own clock's aborts arrive as TimeoutError (request_clock.ts): any other abort
      // is a transfer the network cut short, and so is an answer whose body ended early.
      (error instanceof Error && ["AbortError", "TimeoutError"].includes(error.name)) ||
      (code === "PARSE_ERROR" && /aborted|socket hang up|ECONNRESET/i.test(message));
    return new StorageError(`Cannot ${what}: ${detail}`, { retriable });
  }
}

/** The service client for the credentials in the environment, and the secret values to hide. */
function serviceFromEnv(accountUrl?: string): { service: BlobServiceClient; secrets: string[] } {
  const env = (name: string) => Deno.env.get(name) || undefined;
  const connectionString = env("AZURE_STORAGE_CONNECTION_STRING");
  const account = env("AZURE_STORAGE_ACCOUNT");
  const key = env("AZURE_STORAGE_KEY");
  const sas = env("AZURE_STORAGE_SAS_TOKEN");
  const options = { retryOptions: SDK_RETRY };
  const fromString = (field: string) =>
    new RegExp(`${field}=([^;]+)`).exec(connectionString ?? "")?.[1];
  const secrets = [
    key,
    sas?.replace(/^\?/, ""),
    fromString("AccountKey"),
    fromString("SharedAccessSignature"),
  ]
    .filter((s): s is string => !!s);
  const url = accountUrl ?? (account ? `https://${account}.blob.core.windows.net` : undefined);
  try {
    if (connectionString) {
      return {
        service: BlobServiceClient.fromConnectionString(connectionString, options),
        secrets,
      };
    }
    if (account && key && url) {
      const credential = new StorageSharedKeyCredential(account, key);
      return { service: new BlobServiceClient(url, credential, options), secrets };
    }
    if (sas && url) {
      const query = sas.replace(/^\?/, "");
      const service = new BlobServiceClient(`${url}?${query}`, new AnonymousCredential(), options);
      return { service, secrets };
    }
  } catch (error) {
    // Only our own text: a parser's message could quote the malformed secret.
    const kind = error instanceof Error ? error.name : "Error";
    throw new StorageError(
      `Invalid Azure credentials in the environment (${kind}): check ${CREDENTIAL_VARS}`,
    );
  }
  throw new StorageError(`No Azure credentials found: set ${CREDENTIAL_VARS}`);
}

function codeOf(error: unknown): string | undefined {
  const e = error as { details?: { errorCode?: string }; code?: string };
  return e?.details?.errorCode ?? e?.code;
}

/** Removes credential values from a message, in case a server or the SDK echoes one. */
function scrub(secrets: string[], message: string): string {
  let out = message.replace(/([?&]sig=)[^&\s"']+/gi, "$1***");
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.replaceAll(secret, "***");
  }
  return out;
}
