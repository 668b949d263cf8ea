/**
 * Where a chaos iteration keeps its archive: a local directory, or a bucket of the S3
 * server or a container of Azurite reached through two proxies (scripts → TCP proxy →
 * HTTP fault proxy → server), so that the network can be cut and requests failed. The
 * local directory (or a cloud backup's staging directory) can sit on a tmpfs of its own,
 * so that the disk can fill for real.
 */
import { createBucket } from "../helpers/s3.ts";
import { s3Endpoint } from "../helpers/env.ts";
import { azureVia, azuriteBackend, azuriteUrl, createContainer } from "../helpers/azurite.ts";
import { HttpFaultProxy, QUICK_FAULTS } from "../helpers/http_fault_proxy.ts";
import { TcpProxy } from "../helpers/tcp_proxy.ts";
import { mountTmpfs, unmount } from "../helpers/tmpfs.ts";
import { S3Backend } from "../../lib/storage/s3.ts";
import type { StorageBackend } from "../../lib/storage/backend.ts";

export type StorageKind = "local" | "s3" | "azure";

export interface ChaosStorage {
  kind: StorageKind;
  /** The archive directory (local) or the staging directory (cloud) of the backup. */
  dir: string;
  /** Job keys that point a script at the archive. */
  keys: Record<string, unknown>;
  /** Environment the scripts need (Azure's connection string). */
  env: Record<string, string>;
  /** What readArchive reads: the directory, or the cloud backend without the proxies. */
  archive: string | StorageBackend;
  /** Cuts the network to the object store (cloud only). */
  cut: TcpProxy | null;
  /** Fails a share of the object store's requests while its rate is above 0 (cloud only). */
  faults: HttpFaultProxy | null;
  /** Stops the proxies and unmounts the tmpfs. */
  close(): Promise<void>;
}

/** Size of a tmpfs archive: ample for an iteration, filled on purpose by "disk full". */
const TMPFS_SIZE = "256m";

/** Sets up `kind` storage; `onTmpfs` mounts a tmpfs on its directory. */
export async function chaosStorage(
  kind: StorageKind,
  onTmpfs: boolean,
  seed: number,
): Promise<ChaosStorage> {
  const dir = await Deno.makeTempDir();
  if (onTmpfs) await mountTmpfs(dir, TMPFS_SIZE);
  const closeDir = () => onTmpfs ? unmount(dir) : Promise.resolve();
  if (kind === "local") {
    return { kind, dir, keys: {}, env: {}, archive: dir, cut: null, faults: null, close: closeDir };
  }
  const faults = HttpFaultProxy.start(kind === "s3" ? s3Endpoint() : azuriteUrl(), 0, {
    seed,
    faults: QUICK_FAULTS,
  });
  const cut = TcpProxy.start(faults.url);
  const close = async () => {
    cut.down();
    await faults.stop();
    await closeDir();
  };
  const cloud = kind === "s3" ? await s3Bucket(cut.url) : await azureContainer(cut.url);
  return { kind, dir, ...cloud, cut, faults, close };
}

async function s3Bucket(url: string) {
  const bucket = await createBucket("chaos");
  return {
    keys: { FILESYSTEM_TYPE: "S3", BUCKET_NAME: bucket, S3_ENDPOINT: url },
    env: {},
    archive: new S3Backend({ bucket, endpoint: s3Endpoint(), forcePathStyle: true }),
  };
}

async function azureContainer(url: string) {
  const container = await createContainer("chaos");
  return {
    keys: { FILESYSTEM_TYPE: "AZURE", CONTAINER_NAME: container },
    env: { AZURE_STORAGE_CONNECTION_STRING: azureVia(url) },
    archive: azuriteBackend(container),
  };
}
