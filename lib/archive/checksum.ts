/**
 * SHA-256 of chunk files and their sidecars, in the format of `sha256sum`, so that an
 * operator can check a downloaded chunk with `sha256sum -c <chunk>.sha256` and no tool.
 */

import { createHash } from "node:crypto";
import { IntegrityError } from "../errors.ts";

/** Lowercase hex SHA-256 of `data` (native, far faster than a WASM digest). */
export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * One `sha256sum` line: `<hex>  <fileName>\n` (two spaces: text mode, which `-c` accepts).
 *
 * @example
 * ```ts
 * formatSidecar(sha256Hex(bytes), "00000000000000000000-00000000000000000099.chunk");
 * ```
 */
export function formatSidecar(hex: string, fileName: string): string {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new RangeError(`Not a lowercase SHA-256 hex digest: ${hex}`);
  }
  if (fileName === "" || /[\n\r\\/]/.test(fileName)) {
    throw new RangeError(`Not a plain file name: ${JSON.stringify(fileName)}`);
  }
  return `${hex}  ${fileName}\n`;
}

/** What a sidecar says. */
export interface Sidecar {
  /** Lowercase hex digest. */
  sha256: string;
  /** The file name the digest is for. */
  fileName: string;
}

const LINE = /^([0-9a-fA-F]{64}) [ *]([^\n\r\\/]+)\n?$/;

/**
 * Parses a sidecar read from `key`: exactly one `sha256sum` line (text or binary mode
 * marker). Throws `IntegrityError` naming `key` for anything else.
 */
export function parseSidecar(text: string, key: string): Sidecar {
  const match = LINE.exec(text);
  if (match === null) {
    const shown = JSON.stringify(text.length > 80 ? text.slice(0, 80) + "…" : text);
    throw new IntegrityError(`Cannot read checksum sidecar ${key}: not a sha256sum line: ${shown}`);
  }
  return { sha256: match[1].toLowerCase(), fileName: match[2] };
}
