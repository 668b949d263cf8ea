/**
 * An HTTP proxy in front of a real object store (the S3 server, Azurite) that fails a
 * share of the requests the way overloaded or flaky stores do: 503 SlowDown, 500
 * InternalError, the connection dropped after an upload's body was sent (the object never
 * stored), an upload that is never answered, and a download cut off half-way through its
 * body. Faults are drawn from a seeded generator, so a failing run can be repeated.
 */

export type Fault = "slowDown" | "internal" | "resetUpload" | "stallUpload" | "cutDownload";

export const FAULTS: readonly Fault[] = [
  "slowDown",
  "internal",
  "resetUpload",
  "stallUpload",
  "cutDownload",
];

/**
 * The faults a client rides out within seconds at any STORAGE_TIMEOUT_SECONDS; a reset or
 * stalled upload waits for that timeout.
 */
export const QUICK_FAULTS: readonly Fault[] = ["slowDown", "internal", "cutDownload"];

/** The uploads that reach the server's side and are never properly answered. */
export const UPLOAD_FAULTS: readonly Fault[] = ["resetUpload", "stallUpload"];

export class HttpFaultProxy {
  /** How many of each fault were injected, and how many requests went through. */
  readonly counts: Record<Fault | "passed", number> = {
    slowDown: 0,
    internal: 0,
    resetUpload: 0,
    stallUpload: 0,
    cutDownload: 0,
    passed: 0,
  };
  /** The share (0..1) of requests failed from now on: 0 lets everything through. */
  rate: number;
  /** Called as each request that went through is answered, before its answer leaves. */
  onPassed: (() => void) | null = null;
  /** Releases the requests held by "stallUpload" (stop() lets them go). */
  readonly #stalled = new Set<() => void>();
  #seed: number;

  private constructor(
    private readonly server: Deno.HttpServer<Deno.NetAddr>,
    rate: number,
    seed: number,
    private readonly faults: readonly Fault[],
  ) {
    this.rate = rate;
    this.#seed = seed;
  }

  /** Starts a proxy to `targetUrl` failing `rate` (0..1) of the requests with `faults`. */
  static start(
    targetUrl: string,
    rate: number,
    options: { seed?: number; faults?: readonly Fault[] } = {},
  ): HttpFaultProxy {
    const target = new URL(targetUrl);
    let proxy: HttpFaultProxy | null = null;
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => proxy!.#handle(request, target),
    );
    proxy = new HttpFaultProxy(server, rate, options.seed ?? 1, options.faults ?? FAULTS);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.addr.port}`;
  }

  /** Faults injected so far, of every kind. */
  get injected(): number {
    return FAULTS.reduce((n, f) => n + this.counts[f], 0);
  }

  async stop(): Promise<void> {
    for (const release of this.#stalled) release();
    await this.server.shutdown();
  }

  /** A number in [0, 1) from a small linear congruential generator. */
  #random(): number {
    this.#seed = (this.#seed * 1103515245 + 12345) % 2 ** 31;
    return this.#seed / 2 ** 31;
  }

  /** Resolves when the client gives up on `request`, or the proxy stops. */
  #untilClientLeaves(request: Request): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        this.#stalled.delete(release);
        resolve();
      };
      this.#stalled.add(release);
      request.signal.addEventListener("abort", release);
    });
  }

  async #handle(request: Request, target: URL): Promise<Response> {
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
    const { faults } = this;
    const fault = this.#random() < this.rate
      ? faults[Math.floor(this.#random() * faults.length)]
      : null;
    if (fault === "slowDown" || fault === "internal") {
      this.counts[fault]++;
      return errorResponse(fault === "slowDown" ? 503 : 500, fault);
    }
    if (fault === "resetUpload" && body !== null && body.length > 0) {
      this.counts.resetUpload++;
      return brokenBody(new Uint8Array(0), 100); // the body was read, the object is not stored
    }
    if (fault === "stallUpload" && body !== null && body.length > 0) {
      this.counts.stallUpload++;
      await this.#untilClientLeaves(request); // the body was read, and no answer ever comes
      return errorResponse(503, "slowDown");
    }
    const url = new URL(request.url);
    const forwarded = await fetch(new URL(url.pathname + url.search, target), {
      method: request.method,
      headers: request.headers,
      body,
      redirect: "manual",
    });
    const bytes = new Uint8Array(await forwarded.arrayBuffer());
    if (fault === "cutDownload" && isObjectGet(request) && bytes.length > 16) {
      this.counts.cutDownload++;
      return brokenBody(bytes.subarray(0, bytes.length >> 1), bytes.length, forwarded);
    }
    this.counts.passed++;
    this.onPassed?.();
    const bodyless = request.method === "HEAD" || [204, 304].includes(forwarded.status);
    return new Response(bodyless ? null : bytes, {
      status: forwarded.status,
      headers: forwarded.headers,
    });
  }
}

/** The error bodies S3 sends (Azurite's clients read the status code). */
function errorResponse(status: number, fault: "slowDown" | "internal"): Response {
  const code = fault === "slowDown" ? "SlowDown" : "InternalError";
  const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>` +
    `<Message>injected by the test's fault proxy</Message></Error>`;
  return new Response(xml, { status, headers: { "content-type": "application/xml" } });
}

/**
 * A 200 whose body ends early: `head` of the promised `length` bytes, then the connection
 * is dropped, as a reset in the middle of a transfer.
 */
function brokenBody(head: Uint8Array, length: number, like?: Response): Response {
  const headers = new Headers(like?.headers);
  headers.set("content-length", String(length)); // what was promised, as a real cut leaves it
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.length > 0) controller.enqueue(head);
      setTimeout(() => controller.error(new Error("injected connection reset")), 10);
    },
  });
  return new Response(stream, { status: like?.status ?? 200, headers });
}

/** A download of one object (not a listing): the downloads "cutDownload" cuts. */
function isObjectGet(request: Request): boolean {
  const { search } = new URL(request.url);
  return request.method === "GET" && !/list|restype|comp=/.test(search);
}
