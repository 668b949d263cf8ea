/**
 * A TCP proxy in front of a real server, to cut the network: `down()` refuses new
 * connections and drops open ones, `up()` listens again on the same port. The server
 * behind it keeps its data (moto keeps objects only in memory, so it cannot be restarted).
 */
export class TcpProxy {
  readonly port: number;
  #listener: Deno.Listener | null = null;
  readonly #open = new Set<Deno.Conn>();

  private constructor(private readonly target: { hostname: string; port: number }, port: number) {
    this.port = port;
  }

  /** Starts a proxy on a free port of 127.0.0.1 that forwards to `targetUrl`'s host and port. */
  static start(targetUrl: string): TcpProxy {
    const url = new URL(targetUrl);
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const proxy = new TcpProxy({ hostname: url.hostname, port: Number(url.port) }, port);
    proxy.up();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  up(): void {
    if (this.#listener) return;
    const listener = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    this.#listener = listener;
    (async () => {
      try {
        for await (const client of listener) this.#forward(client);
      } catch {
        // closed by down()
      }
    })();
  }

  down(): void {
    this.#listener?.close();
    this.#listener = null;
    for (const conn of this.#open) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    this.#open.clear();
  }

  async #forward(client: Deno.Conn): Promise<void> {
    let server: Deno.Conn;
    try {
      server = await Deno.connect(this.target);
    } catch {
      client.close();
      return;
    }
    this.#open.add(client);
    this.#open.add(server);
    const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
      try {
        await from.readable.pipeTo(to.writable);
      } catch {
        // either side closed
      }
    };
    await Promise.all([pipe(client, server), pipe(server, client)]);
    this.#open.delete(client);
    this.#open.delete(server);
  }
}
