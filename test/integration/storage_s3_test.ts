/**
 * S3Backend against the S3-compatible server that test/run.sh starts (KB_TEST_S3_ENDPOINT),
 * plus a tiny local fake for the answers that server cannot give (refused credentials).
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { NotFoundError, StorageError } from "../../lib/errors.ts";
import { S3Backend, type S3BackendOptions } from "../../lib/storage/s3.ts";
import { randomName, requireEnv, s3Endpoint } from "../helpers/env.ts";
import { storageConformanceSuite } from "../storage_conformance.ts";

const MiB = 1024 * 1024;

/** The endpoint, after checking that the runner exported the credentials the SDK chain reads. */
function endpoint(): string {
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]) requireEnv(name);
  return s3Endpoint();
}

function adminClient(): S3Client {
  return new S3Client({
    endpoint: endpoint(),
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** A fresh bucket, and a function that empties and removes it. */
async function freshBucket(): Promise<{ bucket: string; remove: () => Promise<void> }> {
  const client = adminClient();
  const bucket = randomName("kb-s3");
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const remove = async () => {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
      );
      const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (objects.length > 0) {
        await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }),
        );
      }
      token = page.NextContinuationToken;
    } while (token);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  };
  return { bucket, remove };
}

/** Runs `fn` with a fresh bucket that is removed afterwards. */
async function withBucket(fn: (bucket: string) => Promise<void>): Promise<void> {
  const { bucket, remove } = await freshBucket();
  try {
    await fn(bucket);
  } finally {
    await remove();
  }
}

function s3(bucket: string, options: Partial<S3BackendOptions> = {}): S3Backend {
  return new S3Backend({ bucket, endpoint: endpoint(), ...options });
}

async function collect(iterable: AsyncIterable<{ key: string; size: number }>) {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function pattern(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed) & 0xff;
  return data;
}

storageConformanceSuite("S3Backend", async () => {
  const { bucket, remove } = await freshBucket();
  const backend = s3(bucket, { prefix: "conformance/run" });
  return {
    backend,
    cleanup: remove, // the suite closes the backend itself
  };
});

Deno.test("S3Backend stores, reads, streams, stats and deletes under its prefix", async () => {
  await withBucket(async (bucket) => {
    const backend = s3(bucket, { prefix: "/jobs/one/" });
    assert.equal(backend.location, `s3://${bucket}/jobs/one`);
    const data = pattern(1000, 1);
    await backend.put("t/0/a.chunk", data);
    assert.deepEqual(await backend.get("t/0/a.chunk"), data);
    const streamed = new Uint8Array(
      await new Response(await backend.getStream("t/0/a.chunk")).arrayBuffer(),
    );
    assert.deepEqual(streamed, data);
    assert.deepEqual(await backend.stat("t/0/a.chunk"), { key: "t/0/a.chunk", size: 1000 });
    assert.equal(await backend.stat("t/0/missing"), null);
    await assert.rejects(backend.get("t/0/missing"), NotFoundError);
    await assert.rejects(backend.getStream("t/0/missing"), NotFoundError);
    await backend.delete("t/0/a.chunk");
    await backend.delete("t/0/a.chunk"); // idempotent
    assert.equal(await backend.stat("t/0/a.chunk"), null);
    await backend.close();
  });
});

Deno.test("S3Backend uploads an object above the threshold as a multipart upload", async () => {
  await withBucket(async (bucket) => {
    const backend = s3(bucket, { prefix: "mp", multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    const data = pattern(11 * MiB + 7, 3);
    await backend.put("big.chunk", data);
    assert.deepEqual(await backend.get("big.chunk"), data);
    assert.deepEqual(await backend.stat("big.chunk"), { key: "big.chunk", size: data.byteLength });
    // A multipart object's ETag ends with "-<number of parts>".
    const client = adminClient();
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "mp/big.chunk" }));
    client.destroy();
    assert.match(head.ETag ?? "", /-3"?$/);
    await backend.close();
  });
});

// The conformance suite lists 1100 objects across S3's real 1000-key page; this one uses
// small pages to cross many page boundaries, under a prefix, next to other keys.
Deno.test("S3Backend lists across many small pages, sorted, paging hidden", async () => {
  await withBucket(async (bucket) => {
    const backend = s3(bucket, { prefix: "many", listPageSize: 100 });
    const keys = Array.from({ length: 250 }, (_, i) => `t/${String(i).padStart(5, "0")}.chunk`);
    await Promise.all(keys.map((k) => backend.put(k, new Uint8Array(2))));
    await backend.put("u/other", new Uint8Array(1));
    await s3(bucket).put("t/outside-the-prefix", new Uint8Array(1));
    const listed = await collect(backend.list("t/"));
    assert.deepEqual(listed.map((o) => o.key), keys);
    assert.ok(listed.every((o) => o.size === 2));
    assert.equal((await collect(backend.list(""))).length, 251);
    assert.deepEqual(await collect(backend.list("nothing/")), []);
    await backend.close();
  });
});

Deno.test("S3Backend instances with different prefixes do not see each other's keys", async () => {
  await withBucket(async (bucket) => {
    const a = s3(bucket, { prefix: "a" });
    const ab = s3(bucket, { prefix: "ab" });
    await a.put("k", new Uint8Array([1]));
    await ab.put("k", new Uint8Array([2, 2]));
    assert.deepEqual(await collect(a.list("")), [{ key: "k", size: 1 }]);
    assert.deepEqual(await collect(ab.list("")), [{ key: "k", size: 2 }]);
    assert.deepEqual(await a.get("k"), new Uint8Array([1]));
    await a.delete("k");
    assert.deepEqual(await ab.get("k"), new Uint8Array([2, 2]));
    await a.close();
    await ab.close();
  });
});

Deno.test("S3Backend reports a missing bucket as a final StorageError naming it", async () => {
  const bucket = randomName("kb-missing");
  const backend = s3(bucket);
  const ops = [
    () => backend.put("k", new Uint8Array(1)),
    () => backend.get("k"),
    () => backend.stat("k"),
    () => collect(backend.list("")),
    () => backend.delete("k"),
  ];
  for (const op of ops) {
    await assert.rejects(op(), (error: unknown) => {
      assert.ok(error instanceof StorageError && !(error instanceof NotFoundError));
      assert.equal(error.retriable, false);
      assert.match(error.message, new RegExp(`bucket "${bucket}" does not exist`));
      return true;
    });
  }
  await backend.close();
});

/** Runs `fn` against a local fake S3 endpoint that answers every request with `status` and `body`. */
async function withFakeS3(
  status: number,
  body: string,
  fn: (endpoint: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(body, { status, headers: { "content-type": "application/xml" } }),
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${message}</Message><RequestId>r1</RequestId></Error>`;
}

/** Runs `fn` with environment variables set (or removed, for `undefined`), then restores them. */
async function withEnv(vars: Record<string, string | undefined>, fn: () => Promise<void>) {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, Deno.env.get(name)]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  };
  apply(vars);
  try {
    await fn();
  } finally {
    apply(saved);
  }
}

// The test server accepts any credentials, so refusals come from a fake that answers like S3.
Deno.test("S3Backend reports refused credentials as final, naming the bucket, never the secret", async () => {
  const secret = `kb-test-secret-${crypto.randomUUID()}`;
  await withEnv({ AWS_SECRET_ACCESS_KEY: secret }, async () => {
    for (const code of ["SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied"]) {
      // The fake even echoes the secret, to prove that messages are scrubbed.
      const xml = s3ErrorXml(code, `Check your key and signing method (${secret})`);
      await withFakeS3(403, xml, async (url) => {
        const backend = new S3Backend({ bucket: "kb-refused", endpoint: url, region: "us-east-1" });
        for (const op of [() => backend.put("k", new Uint8Array(1)), () => backend.get("k")]) {
          await assert.rejects(op(), (error: unknown) => {
            assert.ok(error instanceof StorageError, String(error));
            assert.equal(error.retriable, false);
            assert.match(error.message, /bucket "kb-refused"/);
            assert.match(error.message, new RegExp(code));
            assert.ok(!error.message.includes(secret), error.message);
            assert.ok(!String(error.stack).includes(secret));
            return true;
          });
        }
        assert.ok(!backend.location.includes(secret));
        await backend.close();
      });
    }
  });
});

Deno.test("S3Backend without credentials names the environment variables to set", async () => {
  const noCredentials = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
    AWS_CONFIG_FILE: "/nonexistent/config",
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  };
  const url = endpoint();
  await withEnv(noCredentials, async () => {
    const backend = new S3Backend({ bucket: "kb-nocreds", endpoint: url, region: "us-east-1" });
    await assert.rejects(backend.get("k"), (error: unknown) => {
      assert.ok(error instanceof StorageError);
      assert.equal(error.retriable, false);
      assert.match(error.message, /bucket "kb-nocreds"/);
      assert.match(error.message, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      return true;
    });
    await backend.close();
  });
});

Deno.test("S3Backend reports server errors, throttling and refused connections as retriable", async () => {
  for (const [status, code] of [[503, "SlowDown"], [500, "InternalError"]] as const) {
    await withFakeS3(status, s3ErrorXml(code, "try again"), async (url) => {
      const backend = new S3Backend({ bucket: "kb-flaky", endpoint: url, region: "us-east-1" });
      await assert.rejects(backend.put("k", new Uint8Array(1)), (error: unknown) => {
        assert.ok(error instanceof StorageError);
        assert.equal(error.retriable, true, error.message);
        return true;
      });
      await backend.close();
    });
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nothing listens there any more
  const backend = new S3Backend({ bucket: "kb-down", endpoint: `http://127.0.0.1:${port}` });
  await assert.rejects(backend.stat("k"), (error: unknown) => {
    assert.ok(error instanceof StorageError);
    assert.equal(error.retriable, true, error.message);
    assert.match(error.message, /ECONNREFUSED/);
    return true;
  });
  await backend.close();
});
