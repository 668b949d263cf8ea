/**
 * A download whose bytes stop arriving fails instead of waiting forever: the SDKs' request
 * timeouts end once the response headers are in (Azure's, and ours for S3), leaving a body
 * that stalls half-way with nothing to notice it.
 */
import { StorageError } from "../errors.ts";

/**
 * `source` as a stream whose read fails with `timedOut()` when its next piece takes
 * longer than `ms` to arrive. The clock runs only while a read waits (a slow reader is no
 * stall), and a stalled source is closed.
 */
export function withReadTimeout(
  source: AsyncIterable<Uint8Array>,
  ms: number,
  timedOut: () => Error,
): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stall = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timedOut()), ms);
      });
      try {
        const next = await Promise.race([iterator.next(), stall]);
        if (next.done) controller.close();
        // Node Buffers are Uint8Array subclasses; plain views keep callers' comparisons simple.
        else controller.enqueue(plain(next.value));
      } catch (error) {
        void iterator.return?.(); // closes the source (a Node stream: destroys it)
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  }, { highWaterMark: 0 });
}

/** All of `stream`'s bytes in one array. */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let total = 0;
  for await (const piece of stream) {
    pieces.push(piece);
    total += piece.byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.byteLength;
  }
  return out;
}

const plain = (bytes: Uint8Array) =>
  new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The retriable error of a download of `key` whose bytes stopped arriving for `ms`. */
export function stalledDownload(key: string, location: string, ms: number): Error {
  return new StorageError(
    `Cannot get ${key} in ${location}: no bytes arrived for ${
      ms / 1000
    } s (STORAGE_TIMEOUT_SECONDS)`,
    { retriable: true },
  );
}
