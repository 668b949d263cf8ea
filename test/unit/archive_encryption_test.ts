/**
 * Encryption at rest (lib/archive/encryption.ts, docs/FORMAT.md section 11): encrypted
 * chunks and metadata objects round trip, and every way to break them (wrong key, unknown
 * key id, a changed body byte, a changed header byte, a header moved to another chunk) is
 * a DecryptionError naming the object before any record comes out.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { decodeChunk, decodeChunkHeader, decryptChunk } from "../../lib/archive/chunk_decode.ts";
import { decodeChunkBody } from "../../lib/archive/chunk_decode.ts";
import { type ChunkMeta, encodeChunk, type EncodedChunk } from "../../lib/archive/chunk_encode.ts";
import { sha256Hex } from "../../lib/archive/checksum.ts";
import {
  DecryptionError,
  type EncryptionKey,
  keyCheckOf,
  toHex,
  UnknownKeyError,
} from "../../lib/archive/encryption.ts";
import { cborDecoder, encodeCborTransient, MAGIC } from "../../lib/archive/format.ts";
import { headerToCbor } from "../../lib/archive/header.ts";
import { parseIndexEntry, serializeIndexEntry } from "../../lib/archive/index_entry.ts";
import { indexKeyOf } from "../../lib/archive/keys.ts";
import type { ArchivedRecord } from "../../lib/archive/record.ts";
import { loadVerifiedChunk, readPartitionIndex, storeChunk } from "../../lib/archive/store.ts";
import { readGroupSnapshot, writeGroupSnapshot } from "../../lib/archive/group_snapshot.ts";
import { readTopicConfig, writeTopicConfig } from "../../lib/archive/topic_config.ts";
import { listTopicConfigs } from "../../lib/archive/topic_config.ts";
import { LocalBackend } from "../../lib/storage/local.ts";
import { IntegrityError } from "../../lib/errors.ts";

const text = (s: string) => new TextEncoder().encode(s);
const randomKey = (id: string): EncryptionKey => ({
  id,
  key: crypto.getRandomValues(new Uint8Array(32)),
});
const K1 = randomKey("k1");
const K2 = randomKey("k2");

const SECRET_VALUE = "card-4111-1111-1111-1111";
const records = (from: number): ArchivedRecord[] =>
  Array.from({ length: 50 }, (_, i) => ({
    offset: from + i * 2,
    timestamp: 1_700_000_000_000 + i,
    key: i === 3 ? null : text(`customer-${i}`),
    value: i === 4 ? null : text(`${SECRET_VALUE} #${i}`),
    headers: [["trace", text(`header-secret-${i}`)], ["empty", null]],
  }));

const meta = (from: number, over: Partial<ChunkMeta> = {}): ChunkMeta => ({
  topic: "payments",
  partition: 1,
  from,
  to: from + 99,
  timestampType: "CreateTime",
  codec: "zstd",
  encryption: K1,
  ...over,
});

/** Rejects with DecryptionError (exit 5) whose message matches every pattern. */
async function assertDecryptionError(run: () => Promise<unknown>, ...patterns: RegExp[]) {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof DecryptionError, `expected DecryptionError, got ${error}`);
    assert.equal(error.exitCode, 5);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

/** The header map of a chunk file and where its body starts. */
function headerOf(bytes: Uint8Array): { raw: Record<string, unknown>; bodyOffset: number } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(9);
  return { raw: cborDecoder.decode(bytes.subarray(13, 13 + length)), bodyOffset: 13 + length };
}

/** A chunk file with `raw` as its header and `body` as its body. */
function withHeader(raw: Record<string, unknown>, body: Uint8Array, version = 2): Uint8Array {
  const header = new Uint8Array(encodeCborTransient(headerToCbor(raw as never)));
  const out = new Uint8Array(13 + header.length + body.length);
  out.set(MAGIC);
  out[8] = version;
  new DataView(out.buffer).setUint32(9, header.length);
  out.set(header, 13);
  out.set(body, 13 + header.length);
  return out;
}

const contains = (haystack: Uint8Array, needle: string) =>
  Buffer.from(haystack).includes(Buffer.from(needle));

for (const codec of ["zstd", "gzip", "none"] as const) {
  Deno.test(`an encrypted ${codec} chunk round trips every record and hides keys, values and headers`, async () => {
    const chunk = await encodeChunk(meta(100, { codec }), records(100));
    assert.equal(chunk.bytes[8], 2, "version byte of an encrypted chunk");
    assert.equal(chunk.entry.formatVersion, 2);
    assert.deepEqual(chunk.entry.encryption, {
      keyId: "k1",
      keyCheck: toHex(await keyCheckOf(K1.key)),
    });
    for (const secret of [SECRET_VALUE, "customer-7", "header-secret-9"]) {
      assert.equal(contains(chunk.bytes, secret), false, `${secret} in the stored bytes`);
    }
    // What stays in the clear: the header (topic, partition, offsets, times, counts).
    const { header } = decodeChunkHeader(chunk.bytes, chunk.key);
    assert.equal(header.topic, "payments");
    assert.equal(header.count, 50);
    assert.equal(header.encryption?.keyId, "k1");
    const opened = await decryptChunk(chunk.bytes, chunk.key, { k1: K1.key });
    const decoded = decodeChunkBody(opened.header, opened.body, chunk.key);
    assert.deepEqual(decoded.records, records(100));
  });
}

Deno.test("every encrypted chunk gets its own data key and nonce", async () => {
  const a = await encodeChunk(meta(100), records(100));
  const b = await encodeChunk(meta(100), records(100));
  const ha = headerOf(a.bytes).raw.encryption as Record<string, Uint8Array>;
  const hb = headerOf(b.bytes).raw.encryption as Record<string, Uint8Array>;
  assert.notDeepEqual(ha.wrappedKey, hb.wrappedKey);
  assert.notDeepEqual(ha.iv, hb.iv);
  assert.notEqual(a.sha256, b.sha256);
});

Deno.test("an encrypted chunk without its key id, or with a wrong key, is refused naming the chunk and the id", async () => {
  const chunk = await encodeChunk(meta(100), records(100));
  await assertDecryptionError(
    () => decryptChunk(chunk.bytes, chunk.key, { k2: K2.key }),
    /key id "k1"/,
    /DECRYPTION_KEYS does not give/,
    new RegExp(chunk.key),
  );
  await assertDecryptionError(
    () => decryptChunk(chunk.bytes, chunk.key, undefined),
    /key id "k1"/,
    /no DECRYPTION_KEYS/,
  );
  await assertDecryptionError(
    () => decryptChunk(chunk.bytes, chunk.key, { k1: K2.key }),
    /wrong key/,
    new RegExp(chunk.key),
  );
  assert.throws(() => decodeChunk(chunk.bytes, chunk.key), UnknownKeyError);
});

Deno.test("a changed byte of an encrypted body fails authentication, at any place", async () => {
  const chunk = await encodeChunk(meta(100), records(100));
  const { bodyOffset } = headerOf(chunk.bytes);
  for (
    const at of [bodyOffset, bodyOffset + 100, chunk.bytes.length - 17, chunk.bytes.length - 1]
  ) {
    const bad = chunk.bytes.slice();
    bad[at] ^= 0x01;
    await assertDecryptionError(
      () => decryptChunk(bad, chunk.key, { k1: K1.key }),
      /authentication failed/,
      new RegExp(chunk.key),
    );
  }
  // Cut short or lengthened: refused before any decryption.
  await assert.rejects(
    () => decryptChunk(chunk.bytes.subarray(0, chunk.bytes.length - 1), chunk.key, { k1: K1.key }),
    /truncated/,
  );
});

Deno.test("a changed header field of an encrypted chunk fails authentication", async () => {
  const chunk = await encodeChunk(meta(100), records(100));
  const { raw, bodyOffset } = headerOf(chunk.bytes);
  const body = chunk.bytes.subarray(bodyOffset);
  // Each change leaves a header that parses and agrees with itself.
  const changes: Array<Record<string, unknown>> = [
    { createdAt: "2020-01-01T00:00:00.000Z" },
    { maxTimestamp: Number(raw.maxTimestamp) + 1 },
    { to: 250 }, // (decodeChunkHeader checks it against the key only when one is given)
    { codec: "gzip" },
  ];
  for (const change of changes) {
    const bad = withHeader({ ...raw, ...change }, body);
    await assertDecryptionError(
      () => decryptChunk(bad, "payments/1/elsewhere.chunk", { k1: K1.key }),
      /authentication failed/,
    );
  }
  // The nonce or the wrapped data key changed.
  const sealing = raw.encryption as Record<string, unknown>;
  const iv = (sealing.iv as Uint8Array).slice();
  iv[0] ^= 1;
  await assertDecryptionError(
    () =>
      decryptChunk(withHeader({ ...raw, encryption: { ...sealing, iv } }, body), "x", {
        k1: K1.key,
      }),
    /authentication failed/,
  );
  const wrappedKey = (sealing.wrappedKey as Uint8Array).slice();
  wrappedKey[5] ^= 1;
  await assertDecryptionError(
    () =>
      decryptChunk(withHeader({ ...raw, encryption: { ...sealing, wrappedKey } }, body), "x", {
        k1: K1.key,
      }),
    /wrapped data key does not unwrap/,
  );
  // The original header, rebuilt the same way, still opens: the failures are the changes.
  const same = withHeader(raw, body);
  assert.equal((await decryptChunk(same, "x", { k1: K1.key })).header.count, 50);
});

Deno.test("a header swapped between two encrypted chunks fails authentication", async () => {
  // Same topic, partition, range, count and sizes (codec none): only the values differ,
  // so the swapped file passes every check but the authentication.
  const other = (r: ArchivedRecord) => ({ ...r, value: r.value && r.value.map((b) => b ^ 1) });
  const a = await encodeChunk(meta(100, { codec: "none" }), records(100));
  const b = await encodeChunk(meta(100, { codec: "none" }), records(100).map(other));
  const ha = headerOf(a.bytes);
  const hb = headerOf(b.bytes);
  assert.equal(a.bytes.length - ha.bodyOffset, b.bytes.length - hb.bodyOffset);
  const swapped = new Uint8Array(ha.bodyOffset + b.bytes.length - hb.bodyOffset);
  swapped.set(a.bytes.subarray(0, ha.bodyOffset));
  swapped.set(b.bytes.subarray(hb.bodyOffset), ha.bodyOffset);
  await assertDecryptionError(
    () => decryptChunk(swapped, a.key, { k1: K1.key }),
    /authentication failed/,
    new RegExp(a.key),
  );
});

Deno.test("an unencrypted chunk still reads as version 1, with or without keys", async () => {
  const chunk = await encodeChunk(meta(100, { encryption: undefined }), records(100));
  assert.equal(chunk.bytes[8], 1);
  assert.equal(chunk.entry.formatVersion, 1);
  assert.equal("encryption" in chunk.entry, false);
  assert.deepEqual(decodeChunk(chunk.bytes, chunk.key).records, records(100));
  const opened = await decryptChunk(chunk.bytes, chunk.key, { k2: K2.key });
  assert.deepEqual(decodeChunkBody(opened.header, opened.body, chunk.key).records, records(100));
});

/** Stores `chunk` after `change` to its bytes, with a sidecar and entry that match them. */
async function storeChanged(
  backend: LocalBackend,
  chunk: EncodedChunk,
  change: (bytes: Uint8Array) => Uint8Array,
): Promise<void> {
  const bytes = change(chunk.bytes.slice());
  const sha256 = sha256Hex(bytes);
  await storeChunk(backend, {
    ...chunk,
    bytes,
    sha256,
    entry: { ...chunk.entry, sha256, bytes: bytes.length },
  });
}

Deno.test("the store checks sha256 first, then the key, then the tag, and an entry's key must be the header's", async () => {
  const dir = await Deno.makeTempDir();
  const backend = new LocalBackend(dir);
  const chunk = await encodeChunk(meta(0), records(0));
  await storeChunk(backend, chunk);
  const [entry] = (await readPartitionIndex(backend, "payments", 1)).entries;
  assert.deepEqual(entry.encryption, chunk.entry.encryption);
  assert.deepEqual((await loadVerifiedChunk(backend, entry, { k1: K1.key })).records, records(0));
  await assertDecryptionError(() => loadVerifiedChunk(backend, entry, { k2: K2.key }), /"k1"/);
  // A changed byte with the sidecar left alone: the checksum layer catches it, no key needed.
  const path = `${dir}/${chunk.key}`;
  const bad = chunk.bytes.slice();
  bad[bad.length - 3] ^= 0xff;
  await Deno.writeFile(path, bad);
  await assert.rejects(() => loadVerifiedChunk(backend, entry, { k1: K1.key }), /sha256 mismatch/);
  // With the sidecar and entry recomputed (a deliberate change), the tag catches it.
  await storeChanged(backend, chunk, (b) => {
    b[b.length - 3] ^= 0xff;
    return b;
  });
  const [changed] = (await readPartitionIndex(backend, "payments", 1)).entries;
  await assertDecryptionError(
    () => loadVerifiedChunk(backend, changed, { k1: K1.key }),
    /authentication failed/,
  );
  // An entry that names another key than the header: refused before decrypting.
  await storeChunk(backend, chunk);
  const entryKey = indexKeyOf(chunk.key);
  const lying = { ...chunk.entry, encryption: { ...chunk.entry.encryption!, keyId: "k2" } };
  await Deno.writeFile(`${dir}/${entryKey}`, serializeIndexEntry(lying));
  const parsed = parseIndexEntry(await Deno.readFile(`${dir}/${entryKey}`), entryKey);
  await assert.rejects(
    () => loadVerifiedChunk(backend, parsed, { k1: K1.key, k2: K2.key }),
    (error: unknown) =>
      error instanceof IntegrityError && /disagree on its encryption key/.test(error.message),
  );
});

Deno.test("encrypted group snapshots and topic configs round trip, and hide their contents", async () => {
  const dir = await Deno.makeTempDir();
  const backend = new LocalBackend(dir);
  const snapshot = {
    createdAt: "2026-12-02T05:45:39.123Z",
    groups: [{
      group: "billing-secret-group",
      offsets: [{ topic: "payments", partition: 0, offset: 7, metadata: null }],
    }],
  };
  const ref = await writeGroupSnapshot(backend, snapshot, K1);
  const stored = await Deno.readFile(`${dir}/${ref.key}`);
  assert.equal(contains(stored, "billing-secret-group"), false);
  assert.equal(JSON.parse(new TextDecoder().decode(stored)).kind, "groupSnapshot");
  // The sidecar is over the stored (encrypted) bytes, so sha256sum -c needs no key.
  assert.equal(ref.sha256, sha256Hex(stored));
  const read = await readGroupSnapshot(backend, ref.key, ref.sha256, { k1: K1.key });
  assert.deepEqual(read.snapshot, snapshot);
  assert.equal(read.keyId, "k1");
  await assertDecryptionError(
    () => readGroupSnapshot(backend, ref.key, undefined, { k2: K2.key }),
    /"k1"/,
    new RegExp(ref.key),
  );
  await assertDecryptionError(
    () => readGroupSnapshot(backend, ref.key, undefined, { k1: K2.key }),
    /wrong key/,
  );

  const config = {
    topic: "payments",
    createdAt: "2026-12-02T05:45:39.123Z",
    partitions: 3,
    replicationFactor: 1,
    configs: { "retention.ms": "86400000" },
  };
  const { key } = await writeTopicConfig(backend, config, K2);
  assert.equal(contains(await Deno.readFile(`${dir}/${key}`), "retention.ms"), false);
  assert.deepEqual(await readTopicConfig(backend, key, { k1: K1.key, k2: K2.key }), config);
  assert.deepEqual(await listTopicConfigs(backend, "payments"), [key]);

  // Moved under another object's name (the key is the authenticated data): refused.
  const other = ref.key.replace(/-[0-9a-f]{8}\.json$/, "-00000000.json");
  await Deno.copyFile(`${dir}/${ref.key}`, `${dir}/${other}`);
  const name = other.split("/").at(-1);
  await Deno.writeTextFile(`${dir}/${other}.sha256`, `${ref.sha256}  ${name}\n`);
  await assertDecryptionError(
    () => readGroupSnapshot(backend, other, undefined, { k1: K1.key }),
    /authentication failed/,
  );

  // A snapshot written in the clear still reads, with or without keys.
  const plain = await writeGroupSnapshot(backend, {
    ...snapshot,
    createdAt: "2026-12-03T00:00:00.000Z",
  });
  const clear = await readGroupSnapshot(backend, plain.key, plain.sha256, { k1: K1.key });
  assert.equal(clear.keyId, null);
  assert.equal((await readGroupSnapshot(backend, plain.key)).keyId, null);
});
