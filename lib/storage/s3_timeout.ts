/**
 * S3 requests that get no answer in time are abandoned and retried (request_clock.ts):
 * each request the S3 client sends, multipart parts included, gets a clock of its own.
 * An object download's clock stops once its headers are in: its body is read with a
 * clock per piece (read_timeout.ts), so a long download that keeps moving is never cut.
 * Every other answer is small and read whole under the clock, so that one cut off
 * before its end fails too instead of hanging its parser.
 */
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { withinTime } from "./request_clock.ts";
import { readAll } from "./read_timeout.ts";

type HandleArgs = Parameters<NodeHttpHandler["handle"]>;
type Request = HandleArgs[0];

export class AnswerTimeoutHandler extends NodeHttpHandler {
  readonly #timeoutMs: number;

  constructor(timeoutMs: number) {
    super({ connectionTimeout: 10_000 });
    this.#timeoutMs = timeoutMs;
  }

  override async handle(request: Request, options: HandleArgs[1] = {}) {
    // The caller's own abort (lib-storage cancelling an upload's parts) reaches the request too.
    const clock = new AbortController();
    const outer = options.abortSignal as AbortSignal | undefined;
    const forward = () => clock.abort();
    outer?.addEventListener("abort", forward, { once: true });
    try {
      return await withinTime(this.#timeoutMs, async (abortSignal) => {
        const result = await super.handle(request, { ...options, abortSignal });
        if (!isObjectDownload(request)) {
          result.response.body = await readWhole(result.response.body);
        }
        return result;
      }, clock);
    } finally {
      outer?.removeEventListener("abort", forward);
    }
  }
}

/** GetObject: the SDK marks its requests with `x-id`. */
const isObjectDownload = (request: Request) =>
  request.method === "GET" && request.query?.["x-id"] === "GetObject";

/** A response body (a Node stream, or nothing) as bytes, which the SDK's parsers also take. */
function readWhole(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return Promise.resolve(body);
  if (body === undefined || body === null) return Promise.resolve(new Uint8Array(0));
  return readAll(body as AsyncIterable<Uint8Array>);
}
