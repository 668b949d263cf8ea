/**
 * AzureBlobBackend against the Azurite blob service that test/run.sh starts
 * (KB_TEST_AZURE_CONNECTION_STRING). The backend reads credentials only from the
 * AZURE_STORAGE_* variables, so each test sets them just while constructing it.
 */

import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { NotFoundError, StorageError } from "../../lib/errors.ts";
import { AzureBlobBackend, type AzureBlobBackendOptions } from "../../lib/storage/azure.ts";
import { azureConnectionString, randomName } from "../helpers/env.ts";
import { storageConformanceSuite } from "../storage_conformance.ts";

const MiB = 1024 * 1024;
const AZURE_VARS = [
  "AZURE_STORAGE_CONNECTION_STRING",
  "AZURE_STORAGE_ACCOUNT",
  "AZURE_STORAGE_KEY",
  "AZURE_STORAGE_SAS_TOKEN",
];

/** Constructs a backend with exactly `vars` as its AZURE_STORAGE_* environment, then restores it. */
function azure(
  options: AzureBlobBackendOptions,
  vars: Record<string, string> = { AZURE_STORAGE_CONNECTION_STRING: azureConnectionString() },
): AzureBlobBackend {
  const saved = AZURE_VARS.map((name) => [name, Deno.env.get(name)] as const);
  try {
    for (const name of AZURE_VARS) {
      if (vars[name] === undefined) Deno.env.delete(name);
      else Deno.env.set(name, vars[name]);
    }
    return new AzureBlobBackend(options);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

/** Account name, key and blob endpoint of the test connection string. */
function accountParts(): { account: string; key: string; url: string } {
  const fields = new Map(
    azureConnectionString().split(";").filter(Boolean).map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at), part.slice(at + 1)] as const;
    }),
  );
  return {
    account: fields.get("AccountName")!,
    key: fields.get("AccountKey")!,
    url: fields.get("BlobEndpoint")!,
  };
}

/** A fresh container, and a function that deletes it with its blobs. */
async function freshContainer(): Promise<{ container: string; remove: () => Promise<void> }> {
  const service = BlobServiceClient.fromConnectionString(azureConnectionString());
  const container = randomName("kb-az");
  await service.getContainerClient(container).create();
  return { container, remove: () => service.getContainerClient(container).delete().then(() => {}) };
}

async function withContainer(fn: (container: string) => Promise<void>): Promise<void> {
  const { container, remove } = await freshContainer();
  try {
    await fn(container);
  } finally {
    await remove();
  }
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

/** Asserts a final StorageError whose message matches `pattern` and contains no `secret`. */
function finalError(pattern: RegExp, secret?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof StorageError && !(error instanceof NotFoundError), String(error));
    assert.equal(error.retriable, false, error.message);
    assert.match(error.message, pattern);
    if (secret) assert.ok(!error.message.includes(secret), error.message);
    return true;
  };
}

storageConformanceSuite("AzureBlobBackend", async () => {
  const { container, remove } = await freshContainer();
  // Azure pages hold 5000 blobs; smaller pages make the suite's 1100-object listing cross some.
  const backend = azure({ container, prefix: "conformance/run", listPageSize: 500 });
  return {
    backend,
    cleanup: remove, // the suite closes the backend itself
  };
});

Deno.test("AzureBlobBackend stores, reads, streams, stats and deletes under its prefix", async () => {
  await withContainer(async (container) => {
    const backend = azure({ container, prefix: "/jobs/one/" });
    assert.equal(backend.location, `azure://${accountParts().account}/${container}/jobs/one`);
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

Deno.test("AzureBlobBackend uploads a blob above the single-shot limit in blocks", async () => {
  await withContainer(async (container) => {
    const backend = azure({
      container,
      prefix: "mp",
      singleShotLimit: 4 * MiB,
      blockSize: 4 * MiB,
    });
    const data = pattern(11 * MiB + 7, 3);
    await backend.put("big.chunk", data);
    assert.deepEqual(await backend.get("big.chunk"), data);
    assert.deepEqual(await backend.stat("big.chunk"), { key: "big.chunk", size: data.byteLength });
    const service = BlobServiceClient.fromConnectionString(azureConnectionString());
    const blob = service.getContainerClient(container).getBlockBlobClient("mp/big.chunk");
    const blocks = await blob.getBlockList("committed");
    assert.equal(blocks.committedBlocks?.length, 3);
    await backend.close();
  });
});

Deno.test("AzureBlobBackend lists across many small pages, sorted, paging hidden", async () => {
  await withContainer(async (container) => {
    const backend = azure({ container, prefix: "many", listPageSize: 100 });
    const keys = Array.from({ length: 250 }, (_, i) => `t/${String(i).padStart(5, "0")}.chunk`);
    await Promise.all(keys.map((k) => backend.put(k, new Uint8Array(2))));
    await backend.put("u/other", new Uint8Array(1));
    await azure({ container }).put("t/outside-the-prefix", new Uint8Array(1));
    const listed = await collect(backend.list("t/"));
    assert.deepEqual(listed.map((o) => o.key), keys);
    assert.ok(listed.every((o) => o.size === 2));
    assert.equal((await collect(backend.list(""))).length, 251);
    assert.deepEqual(await collect(backend.list("nothing/")), []);
  });
});

Deno.test("AzureBlobBackend instances with different prefixes do not see each other's keys", async () => {
  await withContainer(async (container) => {
    const a = azure({ container, prefix: "a" });
    const ab = azure({ container, prefix: "ab" });
    await a.put("k", new Uint8Array([1]));
    await ab.put("k", new Uint8Array([2, 2]));
    assert.deepEqual(await collect(a.list("")), [{ key: "k", size: 1 }]);
    assert.deepEqual(await collect(ab.list("")), [{ key: "k", size: 2 }]);
    assert.deepEqual(await a.get("k"), new Uint8Array([1]));
    await a.delete("k");
    assert.deepEqual(await ab.get("k"), new Uint8Array([2, 2]));
  });
});

Deno.test("AzureBlobBackend reports a missing container as a final StorageError naming it", async () => {
  const container = randomName("kb-missing");
  const backend = azure({ container });
  const ops = [
    () => backend.put("k", new Uint8Array(1)),
    () => backend.get("k"),
    () => backend.stat("k"),
    () => collect(backend.list("")),
    () => backend.delete("k"),
  ];
  const expected = new RegExp(`container "${container}" does not exist`);
  for (const op of ops) await assert.rejects(op(), finalError(expected));
});

Deno.test("AzureBlobBackend reports wrong credentials as final, naming the container, never the secret", async () => {
  await withContainer(async (container) => {
    const { account, url } = accountParts();
    // A well-formed key that is not the account's: the service refuses the signature.
    const wrongKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(64))));
    const sas = `sv=2023-11-03&ss=b&srt=sco&sp=rwdl&se=2099-01-01T00:00:00Z&sig=${
      encodeURIComponent(wrongKey)
    }`;
    const setups: [Record<string, string>, string, AzureBlobBackendOptions][] = [
      [
        {
          AZURE_STORAGE_CONNECTION_STRING: azureConnectionString().replace(
            accountParts().key,
            wrongKey,
          ),
        },
        wrongKey,
        { container },
      ],
      [{ AZURE_STORAGE_ACCOUNT: account, AZURE_STORAGE_KEY: wrongKey }, wrongKey, {
        container,
        accountUrl: url,
      }],
      [{ AZURE_STORAGE_SAS_TOKEN: sas }, encodeURIComponent(wrongKey), {
        container,
        accountUrl: url,
      }],
    ];
    for (const [vars, secret, options] of setups) {
      const backend = azure(options, vars);
      const expected = new RegExp(`container "${container}" was refused`);
      await assert.rejects(backend.put("k", new Uint8Array(1)), finalError(expected, secret));
      await assert.rejects(backend.stat("k"), finalError(expected, secret));
      await assert.rejects(collect(backend.list("")), finalError(expected, secret));
      assert.ok(!backend.location.includes(secret));
    }
  });
});

Deno.test("AzureBlobBackend without credentials names the environment variables to set", () => {
  assert.throws(
    () => azure({ container: "kb-any" }, {}),
    finalError(/AZURE_STORAGE_CONNECTION_STRING.*AZURE_STORAGE_ACCOUNT.*AZURE_STORAGE_KEY/),
  );
  const secret = "kb-not-a-real-key-0123456789";
  assert.throws(
    () =>
      azure({ container: "kb-any" }, { AZURE_STORAGE_CONNECTION_STRING: `AccountKey=${secret}` }),
    finalError(/Invalid Azure credentials.*AZURE_STORAGE_CONNECTION_STRING/, secret),
  );
  // A SAS token alone does not say which account it is for.
  assert.throws(
    () => azure({ container: "kb-any" }, { AZURE_STORAGE_SAS_TOKEN: "sv=x&sig=y" }),
    finalError(/AZURE_STORAGE_SAS_TOKEN/),
  );
});

Deno.test("AzureBlobBackend reports a refused connection as retriable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nothing listens there any more
  const { account, key } = accountParts();
  const backend = azure(
    { container: "kb-down", accountUrl: `http://127.0.0.1:${port}/${account}` },
    {
      AZURE_STORAGE_ACCOUNT: account,
      AZURE_STORAGE_KEY: key,
    },
  );
  await assert.rejects(backend.stat("k"), (error: unknown) => {
    assert.ok(error instanceof StorageError);
    assert.equal(error.retriable, true, error.message);
    assert.ok(!error.message.includes(key));
    return true;
  });
});
