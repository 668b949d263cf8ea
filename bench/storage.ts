/** Where a benchmark archive lives, and how many bytes of chunks it holds. */
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

/** A local directory, or a bucket on the S3 server the services started. */
export type BenchStorage =
  | { kind: "local"; dir: string }
  | { kind: "s3"; dir: string; bucket: string; endpoint: string };

/** The job-file keys for this storage (the dir is the root, or the S3 working directory). */
export function storageKeys(storage: BenchStorage): Record<string, unknown> {
  if (storage.kind === "local") {
    return { FILESYSTEM_TYPE: "LINUX", FILESYSTEM_BACKUP_DIR: storage.dir };
  }
  return {
    FILESYSTEM_TYPE: "S3",
    FILESYSTEM_BACKUP_DIR: storage.dir,
    BUCKET_NAME: storage.bucket,
    S3_ENDPOINT: storage.endpoint,
    S3_FORCE_PATH_STYLE: true,
  };
}

function s3Client(endpoint: string): S3Client {
  // Credentials and region come from the AWS_* variables services.sh exports.
  return new S3Client({ endpoint, forcePathStyle: true, region: Deno.env.get("AWS_REGION") });
}

/** Creates a fresh bucket for one S3 backup. */
export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const s3 = s3Client(endpoint);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}

async function localChunkBytes(dir: string): Promise<number> {
  let sum = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) sum += await localChunkBytes(path);
    else if (entry.name.endsWith(".chunk")) sum += (await Deno.stat(path)).size;
  }
  return sum;
}

async function s3ChunkBytes(endpoint: string, bucket: string): Promise<number> {
  const s3 = s3Client(endpoint);
  let sum = 0;
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key?.endsWith(".chunk")) sum += object.Size ?? 0;
      }
      token = page.NextContinuationToken;
    } while (token);
  } finally {
    s3.destroy();
  }
  return sum;
}

/** Bytes of every .chunk object (the sidecars and index entries are not counted). */
export function chunkBytes(storage: BenchStorage): Promise<number> {
  return storage.kind === "local"
    ? localChunkBytes(storage.dir)
    : s3ChunkBytes(storage.endpoint, storage.bucket);
}
