/**
 * A large upload killed half-way (kill -9 while its parts or blocks are in flight) leaves
 * no visible object: S3 shows a multipart object only once CompleteMultipartUpload is
 * answered, Azure a block blob only once its block list is committed. The parts stay
 * behind on S3 as an incomplete multipart upload (billed until a lifecycle rule aborts it,
 * as docs/operations.md says); Azure drops uncommitted blocks by itself after a week.
 */
import assert from "node:assert/strict";
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { s3Endpoint } from "../helpers/env.ts";
import { createBucket } from "../helpers/s3.ts";
import { azureVia, azuriteBackend, azuriteUrl, createContainer } from "../helpers/azurite.ts";
import { HttpFaultProxy } from "../helpers/http_fault_proxy.ts";
import { S3Backend } from "../../lib/storage/s3.ts";
import type { StorageBackend } from "../../lib/storage/backend.ts";

const MiB = 1024 * 1024;
const KEY = "topic/0/00000000000000000000.chunk";

/**
 * Starts putting 24 MiB through a proxy that lets the first `passing` requests through
 * and stalls every upload after them, so the put can never finish; kills the putting
 * process with SIGKILL once the proxy has stalled an upload.
 */
async function killMidUpload(
  realUrl: string,
  job: (proxyUrl: string) => Record<string, unknown>,
  env: (proxyUrl: string) => Record<string, string>,
  passing: number,
): Promise<void> {
  const proxy = HttpFaultProxy.start(realUrl, 0, { faults: ["stallUpload"] });
  proxy.onPassed = () => {
    if (proxy.counts.passed >= passing) proxy.rate = 1;
  };
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../helpers/put_object.ts", import.meta.url).pathname,
      JSON.stringify({ ...job(proxy.url), key: KEY, bytes: 24 * MiB }),
    ],
    env: env(proxy.url),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 600 && proxy.counts.stallUpload === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  const out = await child.output();
  assert.ok(
    proxy.counts.stallUpload > 0,
    `no upload was stalled (${JSON.stringify(proxy.counts)})`,
  );
  assert.equal(new TextDecoder().decode(out.stdout), "", "the put did not finish");
  await proxy.stop();
}

async function keys(backend: StorageBackend): Promise<string[]> {
  const found: string[] = [];
  for await (const object of backend.list("")) found.push(object.key);
  return found;
}

Deno.test("an S3 multipart upload killed with -9 after some of its parts leaves no visible object", async () => {
  const bucket = await createBucket();
  // CreateMultipartUpload and two parts go through; later parts (and any Complete) stall.
  await killMidUpload(
    s3Endpoint(),
    (url) => ({ kind: "s3", bucket, endpoint: url }),
    () => ({}),
    3,
  );
  const backend = new S3Backend({ bucket, endpoint: s3Endpoint(), forcePathStyle: true });
  assert.deepEqual(await keys(backend), []);
  assert.equal(await backend.stat(KEY), null);
  const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: "us-east-1" });
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  s3.destroy();
  // The invisible leftover a lifecycle rule (AbortIncompleteMultipartUpload) removes.
  assert.deepEqual((uploads.Uploads ?? []).map((u) => u.Key), [KEY]);
  await backend.close();
});

Deno.test("an Azure block upload killed with -9 after some of its blocks leaves no visible blob", async () => {
  const container = await createContainer();
  await killMidUpload(
    azuriteUrl(),
    () => ({ kind: "azure", bucket: container }),
    (url) => ({ AZURE_STORAGE_CONNECTION_STRING: azureVia(url) }),
    2,
  );
  const backend = azuriteBackend(container);
  assert.deepEqual(await keys(backend), []);
  assert.equal(await backend.stat(KEY), null);
  await backend.close();
});
