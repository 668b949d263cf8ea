/** The S3 server of the test services: a bucket of its own per test. */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { randomName, s3Endpoint } from "./env.ts";

/** A new bucket with a random name (prefixed `prefix`). */
export async function createBucket(prefix = "bucket"): Promise<string> {
  const bucket = randomName(prefix);
  const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: "us-east-1" });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
  return bucket;
}
