/**
 * Names of the archive's metadata objects (group snapshots, topic configs, restoration
 * points): a UTC time to the millisecond, then 8 random hex digits so that two backup
 * processes writing in the same millisecond never collide. Sorting names sorts by time.
 *
 *   20261202T054539123Z-1a2b3c4d
 */

/** A well-formed stamp (a restoration point's id is one). */
export const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]{8}$/;

/** A new stamp for the moment `at`. */
export function newStamp(at: Date = new Date()): string {
  const iso = at.toISOString(); // 2026-12-02T05:45:39.123Z
  const compact = iso.replace(/[-:]/g, "").replace(".", "");
  const random = Array.from(
    crypto.getRandomValues(new Uint8Array(4)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `${compact}-${random}`;
}

/** True for a well-formed stamp. */
export const isStamp = (text: string): boolean => STAMP.test(text);

/** The epoch milliseconds a stamp names, or null when `text` is not a stamp. */
export function stampTime(text: string): number | null {
  const m = STAMP.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number);
  const time = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  return new Date(time).toISOString().replace(/[-:]/g, "").replace(".", "") ===
      text.slice(0, 19)
    ? time
    : null;
}
