/**
 * A hostile registry server for the security tests: on 127.0.0.1 or 127.0.0.2, over http or
 * https (a name under `.test` reached through the CONNECT proxy), it can answer any request
 * with any status, header, `Location`, realm, redirect, body size or pace (its `rule`), demand
 * a token (its `gate`, a token realm on its own origin), and otherwise pass requests to a real
 * `docker-registry`. It records every request it receives, credentials included.
 */
import type { ConnectProxy } from "./connect_proxy.ts";
import type { LocalCa } from "./local_ca.ts";

/** A request as the server received it. */
export interface Seen {
  method: string;
  /** The full URL, query included. */
  url: string;
  authorization: string | null;
  /** The body as text (bytes that are not UTF-8 come out replaced). */
  body: string;
}

/** Answers a request in the registry's place, or returns undefined to let it through. */
export type Rule = (req: Request, url: URL) => Response | undefined | Promise<Response | undefined>;

/** Who may get a token: the test's credential source says whether a token request is valid. */
export type TokenCheck = (req: Request, body: string) => boolean;

/** A running hostile server. */
export interface HostileServer {
  /** How a manifest names it: `127.0.0.2:PORT` or `dst.test:PORT`. */
  host: string;
  /** `http://127.0.0.2:PORT` or `https://dst.test:PORT`. */
  origin: string;
  /** The rule of the case being run (none: everything goes on to the gate and upstream). */
  rule?: Rule;
  /** When set, every request needs a token from `<origin>/token`, given to valid requests. */
  gate?: TokenCheck;
  /** Requests received, in order. */
  seen: Seen[];
  stop(): Promise<void>;
}

/** Where a server listens and how it is reached. */
export interface ServerOptions {
  /** 127.0.0.1 (default) or 127.0.0.2. */
  ip?: string;
  /** Serve https under this `.test` name, with the CA's certificate, through the proxy. */
  tls?: { name: string; ca: LocalCa; proxy: ConnectProxy };
  /** The real registry (`http://127.0.0.1:PORT`) behind it. */
  upstream?: string;
}

const enc = new TextEncoder();

/** The `WWW-Authenticate` challenge of a gated server. */
export function bearerChallenge(origin: string, host: string): string {
  return `Bearer realm="${origin}/token",service="${host}"`;
}

/** Starts a hostile server; see ServerOptions. */
export function startHostileServer(opts: ServerOptions = {}): HostileServer {
  const ip = opts.ip ?? "127.0.0.1";
  const tokens = new Set<string>();
  const s: HostileServer = { host: "", origin: "", seen: [], stop: () => Promise.resolve() };

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const bytes = req.body ? new Uint8Array(await req.arrayBuffer()) : null;
    const body = bytes ? new TextDecoder().decode(bytes) : "";
    s.seen.push({
      method: req.method,
      url: req.url,
      authorization: req.headers.get("authorization"),
      body,
    });
    const again = new Request(req.url, { method: req.method, headers: req.headers, body: bytes });
    const answer = await s.rule?.(again, url);
    if (answer !== undefined) return answer;
    if (s.gate && url.pathname === "/token") {
      if (!s.gate(again, body)) return new Response("bad credentials", { status: 401 });
      const token = `tok-${crypto.randomUUID()}`;
      tokens.add(token);
      return Response.json({ token, expires_in: 300 });
    }
    const auth = req.headers.get("authorization") ?? "";
    if (s.gate && !tokens.has(auth.replace(/^Bearer /, ""))) {
      return Response.json({ errors: [{ code: "UNAUTHORIZED", message: "token needed" }] }, {
        status: 401,
        headers: { "www-authenticate": bearerChallenge(s.origin, s.host) },
      });
    }
    if (opts.upstream === undefined) return new Response("not found", { status: 404 });
    return await forward(again, `${url.pathname}${url.search}`, opts.upstream, s.origin);
  };

  const server = Deno.serve({
    hostname: ip,
    port: 0,
    onListen() {},
    ...(opts.tls ? { cert: opts.tls.ca.cert, key: opts.tls.ca.key } : {}),
  }, handler);
  const port = server.addr.port;
  if (opts.tls) {
    s.host = `${opts.tls.name}:${port}`;
    s.origin = `https://${s.host}`;
    opts.tls.proxy.route(s.host, { hostname: ip, port });
  } else {
    s.host = `${ip}:${port}`;
    s.origin = `http://${s.host}`;
  }
  s.stop = () => server.shutdown();
  return s;
}

/**
 * Passes a request to `path` (with its query) of the real registry `upstream`, without
 * credentials, and its answer back with `Location`s rewritten to `origin`.
 */
export async function forward(
  req: Request,
  path: string,
  upstream: string,
  origin: string,
): Promise<Response> {
  const headers = new Headers(req.headers);
  headers.delete("authorization");
  headers.delete("host");
  const up = await fetch(`${upstream}${path}`, {
    method: req.method,
    headers,
    body: req.body ? await req.arrayBuffer() : null,
    redirect: "manual",
  });
  const out = new Headers(up.headers);
  const loc = out.get("location");
  if (loc !== null) out.set("location", loc.replace(upstream, origin));
  return new Response(up.body, { status: up.status, headers: out });
}

/** A body that sends `chunk` every `gapMs`, forever, until the reader goes away. */
export function tricklingBody(chunk: Uint8Array, gapMs: number): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream({
    pull: (c) =>
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          c.enqueue(chunk);
          resolve();
        }, gapMs);
      }),
    cancel: () => clearTimeout(timer),
  });
}

/** A body of `n` bytes of a JSON-looking tag list that never closes its brackets. */
export function endlessJson(n: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const piece = enc.encode(`"${"t".repeat(65533)}",`);
  return new ReadableStream({
    start: (c) => c.enqueue(enc.encode('{"name":"x","tags":[')),
    pull(c) {
      if (sent >= n) return c.close();
      sent += piece.length;
      c.enqueue(piece);
    },
  });
}
