/**
 * The archive's metadata objects (docs/FORMAT.md, section 10): one line of UTF-8 JSON
 * each, with a `sha256sum` sidecar like a chunk's. Each object is written once under a
 * new name and never changed. Write order: the object, then its sidecar; the sidecar is
 * what makes it part of the archive, so a crash leaves at worst an object without one,
 * which readers ignore.
 */
import { IntegrityError, NotFoundError } from "../errors.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { compareKeys } from "../storage/keys.ts";
import { formatSidecar, parseSidecar, sha256Hex } from "./checksum.ts";
import { baseName } from "./keys.ts";
import { Buffer } from "node:buffer";
import {
  CIPHER,
  type DecryptionKeys,
  type EncryptionKey,
  fromHex,
  IV_BYTES,
  KEY_CHECK_BYTES,
  KEY_ID,
  KEY_WRAP,
  open,
  prepareSeal,
  seal,
  type Sealing,
  TAG_BYTES,
  toHex,
  WRAPPED_KEY_BYTES,
} from "./encryption.ts";
import { FieldReader } from "./fields.ts";

const SIDECAR = ".sha256";
const encoder = new TextEncoder();

/** The `formatVersion` of an encrypted metadata object's envelope (section 11.3). */
const ENCRYPTED_META_VERSION = 2;

/** A stored metadata object: its key and the SHA-256 of its bytes. */
export interface MetaRef {
  key: string;
  sha256: string;
}

/**
 * Stores `value` as JSON under `key`, then its sidecar. With `encryption`, the JSON line
 * is stored encrypted inside an envelope (docs/FORMAT.md, section 11.3), which is what the
 * sidecar's SHA-256 is of.
 */
export async function putMetaObject(
  backend: StorageBackend,
  key: string,
  value: { kind: string; [field: string]: unknown },
  encryption?: EncryptionKey,
): Promise<MetaRef> {
  const plain = encoder.encode(JSON.stringify(value) + "\n");
  const bytes = encryption ? await sealMeta(key, value.kind, plain, encryption) : plain;
  const sha256 = sha256Hex(bytes);
  await backend.put(key, bytes);
  await backend.put(key + SIDECAR, encoder.encode(formatSidecar(sha256, baseName(key))));
  return { key, sha256 };
}

/**
 * Removes the object at `key`: its sidecar first, since the sidecar is what makes it
 * part of the archive (a crash between the two leaves an object readers ignore).
 */
export async function deleteMetaObject(backend: StorageBackend, key: string): Promise<void> {
  await backend.delete(key + SIDECAR);
  await backend.delete(key);
}

/** A metadata object as read: its value, the SHA-256 of its stored bytes, its key id. */
export interface MetaObject {
  value: unknown;
  sha256: string;
  /** The key id it was encrypted with; null when it is stored in the clear. */
  keyId: string | null;
}

/**
 * Reads the object at `key` after checking it against its sidecar (and against
 * `expectedSha256` when a reference gives one), and decrypts it with `keys` when it is
 * encrypted. Throws IntegrityError naming the object when it is missing, damaged, not
 * JSON, or cannot be decrypted (DecryptionError).
 */
export async function getMetaObject(
  backend: StorageBackend,
  key: string,
  expectedSha256?: string,
  keys?: DecryptionKeys,
): Promise<MetaObject> {
  const [bytes, sidecarBytes] = await Promise.all([
    required(backend, key, "metadata object"),
    required(backend, key + SIDECAR, "checksum sidecar"),
  ]);
  const sidecar = parseSidecar(new TextDecoder().decode(sidecarBytes), key + SIDECAR);
  const actual = sha256Hex(bytes);
  if (sidecar.fileName !== baseName(key)) {
    throw new IntegrityError(`Checksum sidecar ${key}${SIDECAR} is for ${sidecar.fileName}`);
  }
  if (actual !== sidecar.sha256 || (expectedSha256 !== undefined && actual !== expectedSha256)) {
    throw new IntegrityError(
      `sha256 mismatch in ${backend.location}/${key} (file ${actual}, sidecar ${sidecar.sha256}` +
        `${expectedSha256 ? `, expected ${expectedSha256}` : ""}): the object is damaged`,
    );
  }
  const value = parseJson(bytes, key);
  const envelope = envelopeOf(value, key);
  if (envelope === null) return { value, sha256: actual, keyId: null };
  const plain = await open(key, envelope.sealing, envelope.ciphertext, encoder.encode(key), keys);
  const inner = parseJson(plain, key);
  if ((inner as { kind?: unknown } | null)?.kind !== envelope.kind) {
    throw new IntegrityError(`Cannot read ${key}: its envelope and its content disagree on kind`);
  }
  return { value: inner, sha256: actual, keyId: envelope.sealing.keyId };
}

function parseJson(bytes: Uint8Array, key: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new IntegrityError(`Cannot read ${key}: not JSON`, { cause: error });
  }
}

/** The encrypted form of a metadata object's JSON line `plain`. */
async function sealMeta(
  key: string,
  kind: string,
  plain: Uint8Array,
  encryption: EncryptionKey,
): Promise<Uint8Array> {
  const prepared = await prepareSeal(encryption);
  const ciphertext = await seal(prepared, plain, encoder.encode(key));
  const { sealing } = prepared;
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  const envelope = {
    formatVersion: ENCRYPTED_META_VERSION,
    kind,
    encryption: {
      algorithm: sealing.algorithm,
      keyWrap: sealing.keyWrap,
      keyId: sealing.keyId,
      keyCheck: toHex(sealing.keyCheck),
      wrappedKey: b64(sealing.wrappedKey),
      iv: b64(sealing.iv),
    },
    ciphertext: b64(ciphertext),
  };
  return encoder.encode(JSON.stringify(envelope) + "\n");
}

/** The envelope of an encrypted object, or null for an object stored in the clear. */
function envelopeOf(
  value: unknown,
  key: string,
): { kind: string; sealing: Sealing; ciphertext: Uint8Array } | null {
  const v = value as Record<string, unknown> | null;
  if (v?.formatVersion !== ENCRYPTED_META_VERSION || v.encryption === undefined) return null;
  const r = new FieldReader(value, `encrypted metadata object ${key}`);
  const e = new FieldReader(r.raw("encryption"), `encryption of ${key}`);
  const base64 = (reader: FieldReader, name: string, length?: number): Uint8Array => {
    const text = reader.string(name, /^[A-Za-z0-9+/]*={0,2}$/);
    const bytes = new Uint8Array(Buffer.from(text, "base64"));
    if (length !== undefined && bytes.length !== length) {
      reader.fail(`field "${name}" must hold ${length} bytes`);
    }
    return bytes;
  };
  const sealing: Sealing = {
    algorithm: e.oneOf("algorithm", [CIPHER]),
    keyWrap: e.oneOf("keyWrap", [KEY_WRAP]),
    keyId: e.string("keyId", KEY_ID),
    keyCheck: fromHex(e.string("keyCheck", new RegExp(`^[0-9a-f]{${KEY_CHECK_BYTES * 2}}$`))),
    wrappedKey: base64(e, "wrappedKey", WRAPPED_KEY_BYTES),
    iv: base64(e, "iv", IV_BYTES),
  };
  const ciphertext = base64(r, "ciphertext");
  if (ciphertext.length < TAG_BYTES) r.fail(`field "ciphertext" is shorter than its tag`);
  return { kind: r.string("kind", /^[A-Za-z]+$/), sealing, ciphertext };
}

/**
 * The keys under `prefix` of objects that are part of the archive (those with a
 * sidecar), sorted by key, which for stamped names is by time.
 */
export async function listMetaObjects(backend: StorageBackend, prefix: string): Promise<string[]> {
  const sidecars: string[] = [];
  for await (const { key } of backend.list(prefix)) {
    if (key.endsWith(SIDECAR)) sidecars.push(key.slice(0, -SIDECAR.length));
  }
  // A sidecar without its object is damage, found when the object is read.
  return sidecars.filter((key) => key.endsWith(".json")).sort(compareKeys);
}

async function required(backend: StorageBackend, key: string, what: string): Promise<Uint8Array> {
  try {
    return await backend.get(key);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new IntegrityError(`Missing ${what} ${backend.location}/${key}`, { cause: error });
  }
}
