/**
 * Encryption at rest (docs/FORMAT.md, section 11): envelope encryption with Web Crypto.
 * Each chunk body and each encrypted metadata object gets a fresh random 256-bit data key
 * that encrypts it with AES-256-GCM; the data key is stored wrapped (AES-KW, RFC 3394) by
 * the key-encryption key (KEK) the operator gives, named by a short key id. A key check
 * value (the first 8 bytes of HMAC-SHA-256(KEK, "kafka-backup key check")) tells a wrong
 * key apart from a damaged object. No cipher is written here: only crypto.subtle calls.
 *
 * Keys travel as plain data (`Uint8Array`s, postable to Workers); each is imported into
 * Web Crypto once per isolate and cached. No message ever shows key material.
 */
import { IntegrityError } from "../errors.ts";

/** Bytes of a key-encryption key and of a data key: AES-256. */
export const KEY_BYTES = 32;
/** Bytes of an AES-GCM nonce. */
export const IV_BYTES = 12;
/** Bytes of an AES-GCM authentication tag, stored after the ciphertext. */
export const TAG_BYTES = 16;
/** Bytes of a data key wrapped with AES-KW (the key plus an 8-byte integrity block). */
export const WRAPPED_KEY_BYTES = KEY_BYTES + 8;
/** Bytes of the key check value. */
export const KEY_CHECK_BYTES = 8;
/** The algorithms, as the format names them. */
export const CIPHER = "AES-256-GCM";
export const KEY_WRAP = "AES-KW";
/** What the key check value is the HMAC of. */
const KEY_CHECK_MESSAGE = new TextEncoder().encode("kafka-backup key check");

/** What a key id may be: a short name, safe in messages, file names and JSON. */
export const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The key a backup encrypts with: ENCRYPTION_KEY_ID and the 32 bytes of ENCRYPTION_KEY. */
export interface EncryptionKey {
  id: string;
  key: Uint8Array;
}

/** The keys a restore may decrypt with: DECRYPTION_KEYS, key id -> 32 bytes. */
export type DecryptionKeys = Readonly<Record<string, Uint8Array>>;

/** What an encrypted object says about how it was encrypted (header or envelope). */
export interface Sealing {
  algorithm: typeof CIPHER;
  keyWrap: typeof KEY_WRAP;
  keyId: string;
  /** Key check value of the KEK: tells "wrong key" from "damaged". */
  keyCheck: Uint8Array;
  /** The data key, wrapped by the KEK with AES-KW. */
  wrappedKey: Uint8Array;
  /** The AES-GCM nonce. */
  iv: Uint8Array;
}

/** The KEK imported for wrapping, and its key check value. */
interface ImportedKek {
  kek: CryptoKey;
  check: Uint8Array;
}

/** One import per key object per isolate (a Worker receives its own copy of the job). */
const imported = new WeakMap<Uint8Array, Promise<ImportedKek>>();

function importKek(raw: Uint8Array): Promise<ImportedKek> {
  if (raw.length !== KEY_BYTES) throw new RangeError(`A key must be ${KEY_BYTES} bytes`);
  let found = imported.get(raw);
  if (found === undefined) {
    found = (async () => {
      const bytes = new Uint8Array(raw);
      const kek = await crypto.subtle.importKey("raw", bytes, KEY_WRAP, false, [
        "wrapKey",
        "unwrapKey",
      ]);
      return { kek, check: await keyCheckOf(bytes) };
    })();
    imported.set(raw, found);
  }
  return found;
}

/** The key check value of a KEK: HMAC-SHA-256(KEK, "kafka-backup key check"), 8 bytes. */
export async function keyCheckOf(raw: Uint8Array): Promise<Uint8Array> {
  const hmac = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(raw),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", hmac, KEY_CHECK_MESSAGE);
  return new Uint8Array(mac, 0, KEY_CHECK_BYTES);
}

/** Lowercase hex of bytes (key check values in index entries and envelopes). */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What `seal` needs before it encrypts: the sealing fields and the data key. */
export interface PreparedSeal {
  sealing: Sealing;
  dataKey: CryptoKey;
}

/**
 * A fresh data key and nonce, the data key wrapped by `key`: everything that goes into
 * the authenticated data (the header) before the body is encrypted.
 */
export async function prepareSeal(key: EncryptionKey): Promise<PreparedSeal> {
  const { kek, check } = await importKek(key.key);
  const dataKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, [
    "encrypt",
  ]);
  const wrappedKey = new Uint8Array(await crypto.subtle.wrapKey("raw", dataKey, kek, KEY_WRAP));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  return {
    sealing: {
      algorithm: CIPHER,
      keyWrap: KEY_WRAP,
      keyId: key.id,
      keyCheck: check,
      wrappedKey,
      iv,
    },
    dataKey,
  };
}

/** Encrypts `plaintext` under a prepared seal: the ciphertext followed by the 16-byte tag. */
export async function seal(
  prepared: PreparedSeal,
  plaintext: Uint8Array,
  additionalData: Uint8Array,
): Promise<Uint8Array> {
  const { dataKey, sealing } = prepared;
  return new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: bytesOf(sealing.iv), additionalData: bytesOf(additionalData) },
      dataKey,
      bytesOf(plaintext),
    ),
  );
}

/** A wrong key, an unknown key id or a failed authentication: exit 5 like all damage. */
export class DecryptionError extends IntegrityError {}

/** The key id is not among the keys given (or none were). */
export class UnknownKeyError extends DecryptionError {
  constructor(readonly what: string, readonly keyId: string, given: DecryptionKeys | undefined) {
    const ids = Object.keys(given ?? {});
    super(
      ids.length === 0
        ? `Cannot decrypt ${what}: it is encrypted with key id "${keyId}" and no ` +
          "DECRYPTION_KEYS are given"
        : `Cannot decrypt ${what}: it is encrypted with key id "${keyId}", which ` +
          `DECRYPTION_KEYS does not give (it gives ${ids.map((id) => `"${id}"`).join(", ")})`,
    );
  }
}

/** A key is given for the key id, but it is another key than the one used. */
export class WrongKeyError extends DecryptionError {
  constructor(readonly what: string, readonly keyId: string) {
    super(
      `Cannot decrypt ${what}: the key given for key id "${keyId}" is not the key it was ` +
        "encrypted with (wrong key)",
    );
  }
}

/**
 * Checks that `keys` can decrypt what `sealing` describes, without decrypting: the key id
 * is given and its key check value matches. Throws DecryptionError naming `what`.
 */
export async function checkKey(
  what: string,
  keyId: string,
  keyCheck: Uint8Array,
  keys: DecryptionKeys | undefined,
): Promise<ImportedKek> {
  const raw = keys && Object.hasOwn(keys, keyId) ? keys[keyId] : undefined;
  if (raw === undefined) throw new UnknownKeyError(what, keyId, keys);
  const found = await importKek(raw);
  if (toHex(found.check) !== toHex(keyCheck)) throw new WrongKeyError(what, keyId);
  return found;
}

/**
 * Decrypts and authenticates `ciphertext` (with its tag) of the object `what`. Throws
 * DecryptionError: unknown key id, wrong key, a wrapped key that does not unwrap, or a
 * failed tag (the body, the authenticated data or the nonce was changed).
 */
export async function open(
  what: string,
  sealing: Sealing,
  ciphertext: Uint8Array,
  additionalData: Uint8Array,
  keys: DecryptionKeys | undefined,
): Promise<Uint8Array> {
  const { kek } = await checkKey(what, sealing.keyId, sealing.keyCheck, keys);
  let dataKey: CryptoKey;
  try {
    dataKey = await crypto.subtle.unwrapKey(
      "raw",
      bytesOf(sealing.wrappedKey),
      kek,
      KEY_WRAP,
      { name: "AES-GCM" },
      false,
      ["decrypt"],
    );
  } catch (error) {
    throw new DecryptionError(
      `Cannot decrypt ${what}: its wrapped data key does not unwrap under key id ` +
        `"${sealing.keyId}" (the header was altered)`,
      { cause: error },
    );
  }
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytesOf(sealing.iv), additionalData: bytesOf(additionalData) },
        dataKey,
        bytesOf(ciphertext),
      ),
    );
  } catch (error) {
    throw new DecryptionError(
      `Cannot decrypt ${what}: AES-GCM authentication failed (the encrypted body or the ` +
        "header it is bound to was altered, or the header belongs to another object)",
      { cause: error },
    );
  }
}

/**
 * Checks, from their index entries alone, that `keys` can decrypt every encrypted chunk
 * of `entries` (its key id is given, its key check value matches), so a restore stops
 * before its first record. Throws DecryptionError naming the first chunk that cannot be
 * decrypted, its key id, and how many more chunks need that key id.
 */
export async function checkEntryKeys(
  entries: Iterable<{ key: string; encryption?: { keyId: string; keyCheck: string } }>,
  keys: DecryptionKeys | undefined,
): Promise<void> {
  let failure: UnknownKeyError | WrongKeyError | null = null;
  let more = 0;
  for (const entry of entries) {
    if (!entry.encryption) continue;
    const { keyId, keyCheck } = entry.encryption;
    if (failure !== null) {
      if (failure.keyId === keyId) more++;
      continue;
    }
    try {
      await checkKey(`chunk ${entry.key}`, keyId, fromHex(keyCheck), keys);
    } catch (error) {
      if (!(error instanceof UnknownKeyError || error instanceof WrongKeyError)) throw error;
      failure = error;
    }
  }
  if (failure === null) return;
  if (more === 0) throw failure;
  throw new DecryptionError(`${failure.message}; ${more} more chunk(s) need that key id`);
}

/** The bytes of a lowercase hex string. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** Web Crypto wants an ArrayBuffer-backed view. */
function bytesOf(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return view.buffer instanceof ArrayBuffer
    ? view as Uint8Array<ArrayBuffer>
    : new Uint8Array(view) as Uint8Array<ArrayBuffer>;
}
