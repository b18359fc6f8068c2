/**
 * One simulated Google-style registry host as a request handler: the OCI distribution API a
 * copier needs (manifests, blobs, uploads, mounts) and the GCR/AR tags/list extension
 * (`manifest` map with `mediaType`, `tag`, `imageSizeBytes`, and `child`), over a HostState.
 * No auth, no `_catalog` (Google hosts have none). Quotas and latency wrap it (sim_quota.ts).
 */
import { ociError } from "./registry_faults.ts";
import { type HostState, sha256 } from "./sim_store.ts";

/** How the extension writes numbers: strings (Container Registry) or integers (Artifact Registry). */
export type NumberStyle = "string" | "int";

/** What kind of request this is, for the accounting (one name per endpoint and method). */
export type RequestKind =
  | "ping"
  | "catalog"
  | "tags/list"
  | "manifest HEAD"
  | "manifest GET"
  | "manifest PUT"
  | "blob HEAD"
  | "blob GET"
  | "upload POST"
  | "mount POST"
  | "upload PATCH"
  | "upload PUT"
  | "upload DELETE"
  | "other";

/** The kind of a request from its method and URL. */
export function requestKind(method: string, url: URL): RequestKind {
  const p = url.pathname;
  if (p === "/v2/" || p === "/v2") return "ping";
  if (p === "/v2/_catalog") return "catalog";
  if (/\/tags\/list$/.test(p)) return "tags/list";
  if (/\/manifests\/[^/]+$/.test(p)) {
    if (method === "HEAD") return "manifest HEAD";
    if (method === "GET") return "manifest GET";
    if (method === "PUT") return "manifest PUT";
  }
  if (/\/blobs\/uploads\/?$/.test(p) && method === "POST") {
    return url.searchParams.has("mount") ? "mount POST" : "upload POST";
  }
  if (/\/blobs\/uploads\/[^/]+$/.test(p)) {
    if (method === "PATCH") return "upload PATCH";
    if (method === "PUT") return "upload PUT";
    if (method === "DELETE") return "upload DELETE";
  }
  if (/\/blobs\/sha256:[0-9a-f]{64}$/.test(p)) {
    if (method === "HEAD") return "blob HEAD";
    if (method === "GET") return "blob GET";
  }
  return "other";
}

/** Whether a kind of request writes. */
export function isWrite(kind: RequestKind): boolean {
  return ["manifest PUT", "upload POST", "mount POST", "upload PATCH", "upload PUT"].includes(kind);
}

/** A simulated registry host: `handle` answers its requests. */
export class SimRegistry {
  #uploads = new Map<string, { repo: string; chunks: Uint8Array[]; size: number }>();
  #seq = 0;

  /** `state` is this host's repositories; `numbers` how the extension writes numbers. */
  constructor(readonly state: HostState, readonly numbers: NumberStyle = "int") {}

  /** Answers one request (whose body it reads or cancels). */
  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const p = url.pathname;
    const m = req.method;
    if (p === "/v2/" || p === "/v2") return Response.json({});
    let g: RegExpExecArray | null;
    if ((g = /^\/v2\/(.+)\/tags\/list$/.exec(p)) && m === "GET") return this.#tags(g[1]!);
    if ((g = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(p))) {
      const [repo, ref] = [g[1]!, decodeURIComponent(g[2]!)];
      if (m === "PUT") return await this.#putManifest(req, repo, ref);
      const found = this.state.resolve(repo, ref);
      if (!found) return ociError(404, "MANIFEST_UNKNOWN", `manifest unknown: ${ref}`);
      return new Response(m === "HEAD" ? null : found.bytes as Uint8Array<ArrayBuffer>, {
        headers: {
          "Content-Type": found.mediaType,
          "Content-Length": String(found.bytes.length),
          "Docker-Content-Digest": found.digest,
        },
      });
    }
    if ((g = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(p)) && m === "POST") {
      return await this.#startUpload(req, g[1]!, url);
    }
    if ((g = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(p))) {
      return await this.#upload(req, g[1]!, g[2]!, url);
    }
    if ((g = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(p))) {
      const [repo, digest] = [g[1]!, g[2]!];
      const bytes = this.state.holdsBlob(repo, digest)
        ? this.state.store.blobs.get(digest)
        : undefined;
      if (!bytes) return ociError(404, "BLOB_UNKNOWN", `blob unknown: ${digest}`);
      return new Response(m === "HEAD" ? null : bytes as Uint8Array<ArrayBuffer>, {
        headers: {
          "Content-Length": String(bytes.length),
          "Content-Type": "application/octet-stream",
          "Docker-Content-Digest": digest,
        },
      });
    }
    await req.body?.cancel();
    return ociError(404, "UNSUPPORTED", `no route for ${m} ${p}`);
  }

  /** The extension's answer: complete, no pagination (as GCR and AR answer). */
  #tags(name: string): Response {
    const cached = this.state.listings.get(name);
    if (cached !== undefined) return jsonText(cached);
    const repo = this.state.repos.get(name);
    const child = this.state.children(name);
    if (!repo && child.length === 0) {
      return ociError(404, "NAME_UNKNOWN", `repository name not known to registry: ${name}`);
    }
    const num = (n: number) => this.numbers === "int" ? n : String(n);
    const tagsOf = new Map<string, string[]>();
    for (const [t, d] of repo?.tags ?? []) tagsOf.set(d, [...(tagsOf.get(d) ?? []), t]);
    const manifest: Record<string, unknown> = {};
    for (const d of repo?.manifests ?? []) {
      const m = this.state.store.manifests.get(d)!;
      manifest[d] = {
        imageSizeBytes: num(m.size),
        layerId: "",
        mediaType: m.mediaType,
        tag: (tagsOf.get(d) ?? []).sort(),
        timeCreatedMs: num(1583451840426),
        timeUploadedMs: num(1583475320110),
      };
    }
    const tags = [...(repo?.tags.keys() ?? [])].sort();
    const text = JSON.stringify({ child, manifest, name, tags });
    this.state.listings.set(name, text);
    return jsonText(text);
  }

  async #putManifest(req: Request, repo: string, ref: string): Promise<Response> {
    const bytes = new Uint8Array(await req.arrayBuffer());
    const out = this.state.put(repo, ref, req.headers.get("Content-Type") ?? "", bytes);
    if ("code" in out) return ociError(400, out.code, out.message);
    return new Response(null, {
      status: 201,
      headers: {
        Location: `/v2/${repo}/manifests/${out.digest}`,
        "Docker-Content-Digest": out.digest,
      },
    });
  }

  async #startUpload(req: Request, repo: string, url: URL): Promise<Response> {
    const mount = url.searchParams.get("mount");
    const from = url.searchParams.get("from");
    if (mount !== null && from !== null && this.state.holdsBlob(from, mount)) {
      await req.body?.cancel();
      this.state.repo(repo).blobs.add(mount);
      return created(repo, mount);
    }
    const digest = url.searchParams.get("digest");
    if (digest !== null && mount === null) {
      return this.#commit(repo, digest, new Uint8Array(await req.arrayBuffer()));
    }
    await req.body?.cancel();
    const id = `u${++this.#seq}`;
    this.#uploads.set(id, { repo, chunks: [], size: 0 });
    return new Response(null, {
      status: 202,
      headers: {
        Location: `/v2/${repo}/blobs/uploads/${id}?_state=${id}`,
        "Docker-Upload-UUID": id,
        Range: "0-0",
      },
    });
  }

  async #upload(req: Request, repo: string, id: string, url: URL): Promise<Response> {
    const session = this.#uploads.get(id);
    if (!session || session.repo !== repo) {
      await req.body?.cancel();
      return ociError(404, "BLOB_UPLOAD_UNKNOWN", `upload unknown: ${id}`);
    }
    if (req.method === "DELETE") {
      this.#uploads.delete(id);
      return new Response(null, { status: 204 });
    }
    if (req.method !== "PATCH" && req.method !== "PUT") {
      await req.body?.cancel();
      return ociError(405, "UNSUPPORTED", `${req.method} on an upload`);
    }
    if (req.body) {
      for await (const chunk of req.body) {
        session.chunks.push(chunk);
        session.size += chunk.length;
      }
    }
    if (req.method === "PATCH") {
      return new Response(null, {
        status: 202,
        headers: {
          Location: `/v2/${repo}/blobs/uploads/${id}?_state=${id}`,
          Range: `0-${Math.max(0, session.size - 1)}`,
          "Docker-Upload-UUID": id,
        },
      });
    }
    this.#uploads.delete(id);
    const digest = url.searchParams.get("digest");
    if (digest === null) return ociError(400, "DIGEST_INVALID", "digest parameter missing");
    const bytes = new Uint8Array(session.size);
    let at = 0;
    for (const c of session.chunks) bytes.set(c, (at += c.length) - c.length);
    return this.#commit(repo, digest, bytes);
  }

  #commit(repo: string, digest: string, bytes: Uint8Array): Response {
    if (sha256(bytes) !== digest) {
      return ociError(400, "DIGEST_INVALID", `content does not match digest ${digest}`);
    }
    this.state.store.blobs.set(digest, bytes);
    this.state.repo(repo).blobs.add(digest);
    return created(repo, digest);
  }

  /** Upload sessions still open. */
  openUploads(): number {
    return this.#uploads.size;
  }
}

function created(repo: string, digest: string): Response {
  return new Response(null, {
    status: 201,
    headers: { Location: `/v2/${repo}/blobs/${digest}`, "Docker-Content-Digest": digest },
  });
}

function jsonText(text: string): Response {
  return new Response(text, { headers: { "Content-Type": "application/json" } });
}
