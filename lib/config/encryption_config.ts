/**
 * The encryption keys of a job file: ENCRYPTION_KEY and ENCRYPTION_KEY_ID (backup),
 * DECRYPTION_KEYS (restore). Keys are secrets: the file holds only `${VAR}` references
 * (secrets.ts), and no message shows a key or any part of it, only its path and length.
 */
import { Buffer } from "node:buffer";
import {
  type DecryptionKeys,
  type EncryptionKey,
  KEY_BYTES,
  KEY_ID,
} from "../archive/encryption.ts";
import type { At } from "./issues.ts";
import type { JobFields } from "./job_fields.ts";
import { secretValue } from "./secrets.ts";

export type { DecryptionKeys, EncryptionKey };
export { KEY_ID };

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

const FORMS = `${KEY_BYTES} bytes, as ${KEY_BYTES * 2} hex digits or in base64 ` +
  `(${Math.ceil(KEY_BYTES / 3) * 4} characters; "openssl rand -base64 ${KEY_BYTES}" makes one)`;

/**
 * The 32 bytes of a key-encryption key from the expanded `${VAR}`: 64 hex digits, or
 * base64 (standard or URL-safe, padded or not); spaces around are ignored.
 */
export function keyMaterial(value: unknown, at: At): Uint8Array | undefined {
  const written = secretValue(value, at)?.trim();
  if (written === undefined) return undefined;
  if (written === "") return at.fail("the environment variable it names holds only spaces");
  const bad = (what: string) =>
    at.fail(`the environment variable it names holds ${what}: a key must be ${FORMS}`);
  if (written.length === KEY_BYTES * 2 && HEX.test(written)) {
    return new Uint8Array(Buffer.from(written, "hex"));
  }
  const url = !BASE64.test(written) && BASE64URL.test(written);
  if (!url && !BASE64.test(written)) {
    return bad(`${written.length} characters that are neither hex nor base64`);
  }
  const bytes = new Uint8Array(Buffer.from(written, url ? "base64url" : "base64"));
  const digits = written.replace(/=+$/, "").length;
  if (bytes.length === KEY_BYTES && digits === Math.ceil((KEY_BYTES * 4) / 3)) return bytes;
  if (HEX.test(written) && written.length % 2 === 0) {
    return bad(`${written.length} hex digits (${written.length / 2} bytes)`);
  }
  return bad(`base64 of ${bytes.length} bytes`);
}

/** ENCRYPTION_KEY_ID, or a key id of DECRYPTION_KEYS. */
export function keyId(value: unknown, at: At): string | undefined {
  if (typeof value === "string" && KEY_ID.test(value)) return value;
  return at.fail(
    `expected a key id: 1 to 64 letters, digits, ".", "_" or "-", starting with a letter ` +
      `or digit (it is stored in every chunk, in the clear)`,
  );
}

/** ENCRYPTION_KEY and ENCRYPTION_KEY_ID of a backup job: both, or neither. */
export function readEncryption(fields: JobFields): EncryptionKey | undefined {
  const hasKey = fields.has("ENCRYPTION_KEY");
  const hasId = fields.has("ENCRYPTION_KEY_ID");
  if (!hasKey && !hasId) return undefined;
  const key = hasKey
    ? fields.optional("ENCRYPTION_KEY", keyMaterial)
    : fields.required("ENCRYPTION_KEY", keyMaterial, " (with ENCRYPTION_KEY_ID)");
  const id = hasId
    ? fields.optional("ENCRYPTION_KEY_ID", keyId)
    : fields.required("ENCRYPTION_KEY_ID", keyId, " (with ENCRYPTION_KEY)");
  return key && id ? { id, key } : undefined;
}

/** A backup's own ENCRYPTION_KEY as decryption keys, to read back what it wrote. */
export const ownKeys = (own: EncryptionKey | undefined): DecryptionKeys | undefined =>
  own && { [own.id]: own.key };

/** DECRYPTION_KEYS of a restore job: key id -> key, at least one. */
export function readDecryptionKeys(fields: JobFields): DecryptionKeys | undefined {
  return fields.optional("DECRYPTION_KEYS", (value, at) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return at.fail(`expected an object {"<key id>": "\${VARIABLE_NAME}", ...}`);
    }
    const entries = Object.entries(value);
    if (entries.length === 0) {
      return at.fail("expected at least one key id (leave DECRYPTION_KEYS out for none)");
    }
    const keys: Record<string, Uint8Array> = {};
    let ok = true;
    for (const [id, written] of entries) {
      const named = keyId(id, at.child(id));
      const key = keyMaterial(written, at.child(id));
      if (named === undefined || key === undefined) ok = false;
      else Object.defineProperty(keys, id, { value: key, enumerable: true });
    }
    return ok ? keys : undefined;
  });
}
