/**
 * A fault-injecting HTTP/1.1 proxy in front of a real registry, for tests of lost answers.
 *
 * It speaks HTTP on a raw TCP socket so that it can do what a server framework cannot: forward
 * a request, let the registry do the work, and then drop the connection without a word (the
 * answer is lost, the work is done). Per method and endpoint class it can also answer 5xx or
 * 429 (with or without `Retry-After`) in the registry's place, cut a body short, or stall.
 * Faults come from rules (the first that matches and has uses left) or at random at a set
 * rate from a seeded generator. Every request is logged with what was done to it.
 */

/** What kind of registry endpoint a request is for. */
export type EndpointKind =
  | "ping"
  | "token"
  | "catalog"
  | "tags"
  | "manifest"
  | "blob"
  | "upload-start"
  | "mount"
  | "upload-patch"
  | "upload-commit"
  | "upload-cancel"
  | "other";

/** What the proxy does to one request. */
export type FaultAction =
  /** Forward it and return the registry's answer. */
  | { kind: "pass" }
  /** Forward it, let the registry finish, then close the connection without answering. */
  | { kind: "reset-after" }
  /** Close the connection without forwarding. */
  | { kind: "reset-before" }
  /** Answer this status in the registry's place (an OCI error body), without forwarding. */
  | { kind: "status"; status: number; retryAfter?: string }
  /** Forward it, then send the headers and only half of the body, and close. */
  | { kind: "truncate" }
  /** Never answer (until the proxy stops). */
  | { kind: "stall" };

/** A rule: which requests, what to do, how many times (default: always). */
export interface FaultRule {
  method?: string;
  endpoint?: EndpointKind;
  path?: RegExp;
  action: FaultAction;
  times?: number;
}

/** Random faults: each request that no rule matched gets a fault with probability `rate`. */
export interface RandomFaults {
  rate: number;
  /** The faults to pick from, equally likely. */
  actions: FaultAction[];
  /** Seed of the generator (the same seed gives the same sequence of draws). */
  seed: number;
  /** Endpoint classes never faulted at random. */
  spare?: EndpointKind[];
  /** At most this many faults in a row for one method and path (default 2). */
  maxInARow?: number;
}

/** One request the proxy saw. */
export interface ProxiedRequest {
  method: string;
  path: string;
  endpoint: EndpointKind;
  /** What the proxy did. */
  action: FaultAction["kind"];
  /** The registry's status, when the request was forwarded and answered. */
  status?: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `127.0.0.1:PORT`. */
  host: string;
  url: string;
  /** Replaces the rules (they are tried in order before random faults). */
  setRules(rules: FaultRule[]): void;
  /** Turns random faults on (or off with null). */
  setRandom(random: RandomFaults | null): void;
  /** Every request seen so far. */
  readonly log: ProxiedRequest[];
  /** Resolves once a request matching `match` has been seen (it may already have been). */
  waitFor(match: (r: ProxiedRequest) => boolean): Promise<ProxiedRequest>;
  stop(): Promise<void>;
}

/** Classifies a request by method and path. */
export function endpointOf(method: string, path: string): EndpointKind {
  const p = path.split("?")[0]!;
  const query = path.includes("?") ? path.slice(path.indexOf("?")) : "";
  if (p === "/v2/" || p === "/v2") return "ping";
  if (/\/token\b|\/v2\/token/.test(p) && !p.includes("/blobs/")) return "token";
  if (p === "/v2/_catalog") return "catalog";
  if (p.endsWith("/tags/list")) return "tags";
  if (/\/manifests\/[^/]+$/.test(p)) return "manifest";
  if (/\/blobs\/uploads\/?$/.test(p) && method === "POST") {
    return /[?&]mount=/.test(query) ? "mount" : "upload-start";
  }
  if (/\/blobs\/uploads\/[^/]+$/.test(p)) {
    if (method === "PATCH") return "upload-patch";
    if (method === "PUT") return "upload-commit";
    if (method === "DELETE") return "upload-cancel";
  }
  if (/\/blobs\/sha256:[0-9a-f]+$/.test(p)) return "blob";
  return "other";
}

/** Starts a proxy on 127.0.0.1 that forwards to `upstream` (`host:port`). */
export function startFaultProxy(upstream: string): FaultProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  let rules: { rule: FaultRule; left: number }[] = [];
  let random: RandomFaults | null = null;
  let draw = generator(0);
  const inARow = new Map<string, number>();
  const log: ProxiedRequest[] = [];
  const waiters: { match: (r: ProxiedRequest) => boolean; resolve: (r: ProxiedRequest) => void }[] =
    [];
  const conns = new Set<Deno.Conn>();
  let stopped = false;
  const stopping = Promise.withResolvers<void>();

  const record = (r: ProxiedRequest) => {
    log.push(r);
    for (const w of [...waiters]) {
      if (w.match(r)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
    }
  };

  const choose = (method: string, path: string, endpoint: EndpointKind): FaultAction => {
    for (const r of rules) {
      const { rule } = r;
      if (r.left <= 0) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.endpoint !== undefined && rule.endpoint !== endpoint) continue;
      if (rule.path !== undefined && !rule.path.test(path)) continue;
      r.left--;
      return rule.action;
    }
    if (random && !(random.spare ?? []).includes(endpoint) && random.actions.length > 0) {
      const key = `${method} ${path}`;
      const row = inARow.get(key) ?? 0;
      if (row < (random.maxInARow ?? 2) && draw() < random.rate) {
        inARow.set(key, row + 1);
        return random.actions[Math.floor(draw() * random.actions.length)]!;
      }
      inARow.delete(key);
    }
    return { kind: "pass" };
  };

  const serve = async (conn: Deno.Conn) => {
    conns.add(conn);
    const reader = new ConnReader(conn);
    try {
      for (;;) {
        const req = await readRequest(reader, conn);
        if (req === null) return;
        const endpoint = endpointOf(req.method, req.path);
        const action = choose(req.method, req.path, endpoint);
        const entry: ProxiedRequest = {
          method: req.method,
          path: req.path,
          endpoint,
          action: action.kind,
        };
        if (action.kind === "reset-before") return record(entry);
        if (action.kind === "stall") {
          record(entry);
          await stopping.promise;
          return;
        }
        if (action.kind === "status") {
          record(entry);
          const headers: [string, string][] = [["Content-Type", "application/json"]];
          if (action.retryAfter !== undefined) headers.push(["Retry-After", action.retryAfter]);
          const body = new TextEncoder().encode(
            JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: "injected fault" }] }),
          );
          await writeResponse(conn, action.status, headers, body, req.method === "HEAD");
          continue;
        }
        const res = await forward(upstream, host, req);
        entry.status = res.status;
        record(entry);
        if (action.kind === "reset-after") return;
        if (action.kind === "truncate" && res.body.length > 1) {
          await writeResponse(conn, res.status, res.headers, res.body, false, res.body.length >> 1);
          return;
        }
        await writeResponse(conn, res.status, res.headers, res.body, req.method === "HEAD");
      }
    } catch {
      // a client that went away, or a proxy that is stopping
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };

  const accepting = (async () => {
    try {
      for await (const conn of listener) serve(conn);
    } catch {
      // the listener was closed
    }
  })();

  return {
    host,
    url: `http://${host}`,
    log,
    setRules(next) {
      rules = next.map((rule) => ({ rule, left: rule.times ?? Infinity }));
    },
    setRandom(next) {
      random = next;
      draw = generator(next?.seed ?? 0);
      inARow.clear();
    },
    waitFor(match) {
      const seen = log.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping.resolve();
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
      await accepting;
    },
  };
}

/** A request read off the wire, its body whole. */
interface WireRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body: Uint8Array;
}

/** Headers that belong to one connection, never forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-connection",
  "content-length",
  "host",
  "expect",
]);

/** Forwards a request to the registry and reads its whole answer. */
async function forward(
  upstream: string,
  self: string,
  req: WireRequest,
): Promise<{ status: number; headers: [string, string][]; body: Uint8Array }> {
  const headers = new Headers();
  for (const [k, v] of req.headers) if (!HOP_BY_HOP.has(k.toLowerCase())) headers.append(k, v);
  // The registry builds the URLs it hands out (upload locations) from these.
  headers.set("X-Forwarded-Host", self);
  headers.set("X-Forwarded-Proto", "http");
  const hasBody = !["GET", "HEAD"].includes(req.method);
  const res = await fetch(`http://${upstream}${req.path}`, {
    method: req.method,
    headers,
    body: hasBody ? req.body as Uint8Array<ArrayBuffer> : undefined,
    redirect: "manual",
  });
  const body = new Uint8Array(await res.arrayBuffer());
  const out: [string, string][] = [];
  for (const [k, v] of res.headers) {
    const lower = k.toLowerCase();
    if (lower === "location") out.push([k, v.replace(`//${upstream}/`, `//${self}/`)]);
    else if (!HOP_BY_HOP.has(lower) || (lower === "content-length" && req.method === "HEAD")) {
      out.push([k, v]);
    }
  }
  return { status: res.status, headers: out, body };
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  307: "Temporary Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/**
 * Writes an answer. The Content-Length is the body's (for HEAD: as the registry said, no
 * body). With `cutAt`, only that many bytes of the body are written.
 */
async function writeResponse(
  conn: Deno.Conn,
  status: number,
  headers: [string, string][],
  body: Uint8Array,
  head: boolean,
  cutAt?: number,
): Promise<void> {
  let text = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Status"}\r\n`;
  const hasLength = headers.some(([k]) => k.toLowerCase() === "content-length");
  for (const [k, v] of headers) text += `${k}: ${v}\r\n`;
  if (!head || !hasLength) text += `Content-Length: ${head ? 0 : body.length}\r\n`;
  text += "\r\n";
  await writeAll(conn, new TextEncoder().encode(text));
  if (!head) await writeAll(conn, cutAt === undefined ? body : body.subarray(0, cutAt));
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let n = 0; n < bytes.length;) n += await conn.write(bytes.subarray(n));
}

/** Buffered reading of a connection. */
class ConnReader {
  #buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);

  constructor(readonly conn: Deno.Conn) {}

  /** Reads more bytes into the buffer; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  /** Bytes up to and including `delim`; null at the end of the stream before any byte. */
  async until(delim: string): Promise<Uint8Array<ArrayBuffer> | null> {
    const d = new TextEncoder().encode(delim);
    for (;;) {
      const i = indexOf(this.#buf, d);
      if (i >= 0) return this.take(i + d.length);
      if (!(await this.#fill())) {
        if (this.#buf.length === 0) return null;
        throw new Error("connection closed inside a message");
      }
    }
  }

  /** Exactly `n` bytes. */
  async exactly(n: number): Promise<Uint8Array<ArrayBuffer>> {
    while (this.#buf.length < n) {
      if (!(await this.#fill())) throw new Error("connection closed inside a body");
    }
    return this.take(n);
  }

  /** A line of the stream, through its line break (a closed stream inside it is an error). */
  async line(): Promise<string> {
    const bytes = await this.until("\r\n");
    if (bytes === null) throw new Error("connection closed inside a chunked body");
    return new TextDecoder().decode(bytes);
  }

  take(n: number): Uint8Array<ArrayBuffer> {
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Reads one request; null when the client closed the connection between requests. */
async function readRequest(reader: ConnReader, conn: Deno.Conn): Promise<WireRequest | null> {
  const head = await reader.until("\r\n\r\n");
  if (head === null) return null;
  const lines = new TextDecoder().decode(head).split("\r\n").filter((l) => l !== "");
  const [method, path] = lines[0]!.split(" ");
  const headers: [string, string][] = lines.slice(1).map((l) => {
    const i = l.indexOf(":");
    return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
  });
  const get = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1];
  if (get("expect")?.toLowerCase() === "100-continue") {
    await writeAll(conn, new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n"));
  }
  let body: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  if (get("transfer-encoding")?.toLowerCase().includes("chunked")) {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for (;;) {
      const sizeLine = (await reader.line()).trim();
      const size = parseInt(sizeLine.split(";")[0]!, 16);
      if (size === 0) {
        // Trailers (none expected) end with an empty line.
        while ((await reader.line()) !== "\r\n");
        break;
      }
      parts.push(await reader.exactly(size));
      await reader.exactly(2);
    }
    body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      body.set(p, at);
      at += p.length;
    }
  } else if (get("content-length") !== undefined) {
    body = await reader.exactly(Number(get("content-length")));
  }
  return { method: method!, path: path!, headers, body };
}

/** A small seeded generator of numbers in [0, 1). */
function generator(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}
