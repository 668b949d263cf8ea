/** UTF-8 bytes of record header names, cached: names repeat from record to record. */

const utf8 = new TextEncoder();
const cache = new Map<string, Uint8Array>();
/** Names are few; a topic with endless distinct names only loses the cache, not memory. */
const MAX_CACHED = 1024;

/** The UTF-8 bytes of header name `name` (shared: do not modify them). */
export function headerNameBytes(name: string): Uint8Array {
  let bytes = cache.get(name);
  if (bytes === undefined) {
    bytes = utf8.encode(name);
    if (cache.size < MAX_CACHED) cache.set(name, bytes);
  }
  return bytes;
}
