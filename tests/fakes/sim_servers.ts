/**
 * Serves simulated Google-style registry hosts over HTTP on 127.0.0.1, one port each (cip keys
 * its per-host limits by `host:port`, so each port is a host of its own, as each region's
 * `<region>-docker.pkg.dev` is), each behind its quota and latency; and a fake GCE metadata
 * server, so that manifests naming a service account get a token without any real account.
 */
import { type RequestCounter, seededRandom, TokenBucket, withQuota } from "./sim_quota.ts";
import { type NumberStyle, SimRegistry } from "./sim_registry.ts";
import { type ContentStore, HostState } from "./sim_store.ts";

/** The quota, latency and answers of every simulated host. */
export interface SimNetwork {
  /** Requests per second each host allows (its bucket holds one second's worth); 0 = no quota. */
  requestsPerSecond: number;
  /** Round-trip latency per request, uniform in [min, max] ms. */
  latencyMs: [number, number];
  /**
   * `Retry-After` seconds sent with 429s; none when absent, the default: whether Google sends
   * it is unconfirmed (PROTOCOL.md, section 4), and without it the client's own pacing and
   * back-off are what is measured. A client keeping to the quota meets no 429 either way.
   */
  retryAfterSeconds?: number;
  /** Seed of the latencies. */
  seed?: number;
}

/** One running simulated host. */
export interface SimHost {
  /** The name it stands for, e.g. `us-central1-docker.pkg.dev`. */
  name: string;
  /** `127.0.0.1:PORT`: what the manifests name instead of `name`. */
  address: string;
  state: HostState;
  registry: SimRegistry;
}

/** Every simulated host of a run and the metadata server. */
export interface SimServers {
  hosts: SimHost[];
  /** `127.0.0.1:PORT` of the fake metadata server (for GCE_METADATA_HOST). */
  metadataHost: string;
  /** Stops every server. */
  close(): Promise<void>;
}

/** Starts one server per name, sharing `store`; extension numbers as `numbers(name)` says. */
export async function startSimServers(
  names: readonly string[],
  store: ContentStore,
  net: SimNetwork,
  counter: RequestCounter,
  numbers: (name: string) => NumberStyle,
): Promise<SimServers> {
  const servers: Deno.HttpServer[] = [];
  const hosts: SimHost[] = [];
  const random = seededRandom(net.seed ?? 15);
  const [lo, hi] = net.latencyMs;
  try {
    for (const name of names) {
      const state = new HostState(store);
      const registry = new SimRegistry(state, numbers(name));
      const opts: Parameters<typeof withQuota>[1] = {
        host: name,
        latency: () => lo + random() * (hi - lo),
        counter,
      };
      if (net.requestsPerSecond > 0) {
        const rps = net.requestsPerSecond;
        opts.bucket = new TokenBucket(rps, rps, () => performance.now());
      }
      if (net.retryAfterSeconds !== undefined) opts.retryAfterSeconds = net.retryAfterSeconds;
      const handler = withQuota((req) => registry.handle(req), opts);
      const server = listen(handler);
      servers.push(server);
      hosts.push({ name, address: `127.0.0.1:${server.addr.port}`, state, registry });
    }
    const metadata = listen(metadataHandler);
    servers.push(metadata);
    return {
      hosts,
      metadataHost: `127.0.0.1:${metadata.addr.port}`,
      close: async () => {
        await Promise.all(servers.map((s) => s.shutdown()));
      },
    };
  } catch (e) {
    await Promise.all(servers.map((s) => s.shutdown()));
    throw e;
  }
}

/** Serves `handler` on 127.0.0.1, a free port (listening once this returns). */
function listen(handler: (req: Request) => Promise<Response> | Response) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
}

/** The account the fake metadata server serves (any email the manifests name is accepted). */
const METADATA_ACCOUNT = "k8s-infra-gcr-promoter@k8s-artifacts-prod.iam.gserviceaccount.com";

/** A GCE metadata server answering `email` and `token` for every account it is asked about. */
function metadataHandler(req: Request): Response {
  const url = new URL(req.url);
  if (req.headers.get("metadata-flavor") !== "Google") {
    return new Response("missing flavor", { status: 403 });
  }
  const m = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/(email|token)$/.exec(
    url.pathname,
  );
  if (!m) return new Response("not found", { status: 404 });
  const name = decodeURIComponent(m[1]!);
  if (m[2] === "email") return new Response(name === "default" ? METADATA_ACCOUNT : name);
  return Response.json({
    access_token: `ya29.sim-${crypto.randomUUID()}`,
    expires_in: 3599,
    token_type: "Bearer",
  });
}
