/**
 * An HTTP CONNECT proxy on 127.0.0.1 that maps names under `.test` to local servers: a `cip`
 * subprocess run with `HTTPS_PROXY` pointing here reaches `https://dst.test:PORT` on
 * 127.0.0.x, so https registries can be tested without DNS and without leaving 127.0.0.0/8.
 */

/** A running proxy. */
export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`, the value of `HTTPS_PROXY`. */
  url: string;
  /** Routes `name:port` (as the client asks for it) to a local address. */
  route(target: string, to: { hostname: string; port: number }): void;
  /** Targets asked for, in order (`name:port`). */
  asked: string[];
  stop(): Promise<void>;
}

const HEAD_LIMIT = 8192;

/** Reads the request head (up to the blank line) from a connection. */
async function readHead(conn: Deno.Conn): Promise<string | null> {
  const buf = new Uint8Array(HEAD_LIMIT);
  let n = 0;
  while (n < HEAD_LIMIT) {
    const got = await conn.read(buf.subarray(n));
    if (got === null) return null;
    n += got;
    const text = new TextDecoder().decode(buf.subarray(0, n));
    // The client sends nothing more before the proxy answers, so the head is all there is.
    if (text.includes("\r\n\r\n")) return text;
  }
  return null;
}

/** Starts a CONNECT proxy; targets without a route are refused with 502. */
export function startConnectProxy(): ConnectProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const routes = new Map<string, { hostname: string; port: number }>();
  const asked: string[] = [];
  const open = new Set<Deno.Conn>();
  const tunnels = new Set<Promise<unknown>>();

  const serve = async (conn: Deno.Conn) => {
    open.add(conn);
    let upstream: Deno.Conn | undefined;
    try {
      const head = await readHead(conn);
      const m = head === null ? null : /^CONNECT (\S+) HTTP\/1\.[01]\r\n/.exec(head);
      const to = m ? routes.get(m[1]!.toLowerCase()) : undefined;
      if (m) asked.push(m[1]!.toLowerCase());
      if (!to) {
        await conn.write(new TextEncoder().encode("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
        return;
      }
      upstream = await Deno.connect(to);
      open.add(upstream);
      await conn.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
      await Promise.allSettled([
        conn.readable.pipeTo(upstream.writable),
        upstream.readable.pipeTo(conn.writable),
      ]);
    } catch {
      // A tunnel that breaks is the client's or the server's business.
    } finally {
      for (const c of [conn, upstream]) {
        if (!c) continue;
        open.delete(c);
        try {
          c.close();
        } catch {
          // already closed by its stream
        }
      }
    }
  };

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      const t = serve(conn);
      tunnels.add(t);
      t.finally(() => tunnels.delete(t));
    }
  })();

  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    route: (target, to) => void routes.set(target.toLowerCase(), to),
    asked,
    async stop() {
      listener.close();
      await accepting;
      for (const c of open) {
        try {
          c.close();
        } catch {
          // closed meanwhile
        }
      }
      await Promise.allSettled([...tunnels]);
    },
  };
}
