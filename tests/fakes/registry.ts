/**
 * An in-memory registry as a fetch handler: the OCI distribution API, the GCR/AR tags/list
 * extension, Bearer token auth with scopes, blob redirects and injectable faults.
 */
import { asBody, digestOf, type ImageFixture, type IndexFixture } from "../fixtures/images.ts";
import { type FakeAuthOptions, FakeTokenAuth } from "./registry_auth.ts";
import {
  countRequests,
  faultResponse,
  Faults,
  type LoggedRequest,
  ociError,
} from "./registry_faults.ts";
import { referrersAnswer, type ReferrersOptions } from "./registry_referrers.ts";
import { isIndexType, ManifestRejected, RegistryState } from "./registry_state.ts";

export type { FaultAction, FaultRule, LoggedRequest } from "./registry_faults.ts";
export type { FakeAuthOptions, TokenRequest } from "./registry_auth.ts";
export type { ReferrersOptions } from "./registry_referrers.ts";

/** Options of the fake registry. */
export interface FakeRegistryOptions {
  /** The host it answers for, e.g. `gcr.io` or `127.0.0.1:5000` (any scheme). */
  host: string;
  /** Serve the GCR/AR tags/list extension; numbers as strings (GCR, default) or ints (AR). */
  extension?: boolean | { numbers: "string" | "int" };
  /** Require Bearer tokens from a token endpoint with scopes checked per repo and action. */
  auth?: FakeAuthOptions;
  /** Page size of _catalog and plain tags/list when the client asks for more or nothing. */
  pageSize?: number;
  /** Redirect blob GETs to this storage host (which the fake also serves). */
  blobRedirectHost?: string;
  /** Write Link next URLs as absolute URLs on this host (to test foreign-host links). */
  linkHost?: string;
  /** Return `Location` of upload sessions as absolute URLs (default: relative with a query). */
  absoluteLocations?: boolean;
  /**
   * Serve the OCI 1.1 referrers API (registry_referrers.ts). Off by default: the referrers
   * route then answers 404, as registries without the API do.
   */
  referrers?: boolean | ReferrersOptions;
}

/** An in-memory OCI registry: pass `fake.fetch` wherever a fetch is expected. */
export class FakeRegistry {
  readonly host: string;
  readonly state = new RegistryState();
  readonly faults = new Faults();
  /** Every request seen (registry, token endpoint and blob storage), in order. */
  readonly requests: LoggedRequest[] = [];
  /** The token auth, when enabled. */
  readonly auth?: FakeTokenAuth;
  #opts: FakeRegistryOptions;
  #uploadSeq = 0;

  /** See FakeRegistryOptions. */
  constructor(opts: FakeRegistryOptions) {
    this.host = opts.host;
    this.#opts = opts;
    if (opts.auth) this.auth = new FakeTokenAuth(opts.host, opts.auth);
  }

  /** A fetch function served by this fake (throws TypeError for hosts it does not serve). */
  readonly fetch: typeof fetch = (input, init) =>
    this.handle(input instanceof Request && init === undefined ? input : new Request(input, init));

  /** Counts logged requests matching a method, path and host. */
  count(filter: { method?: string; path?: string | RegExp; host?: string } = {}): number {
    return countRequests(this.requests, filter);
  }

  /** Stores an image under tags (by digest when none). */
  seed(repo: string, image: ImageFixture, tags: string[] = []): void {
    this.state.seedImage(repo, image, tags);
  }

  /** Stores an index and its children; the index under tags (by digest when none). */
  seedIndex(repo: string, index: IndexFixture, tags: string[] = []): void {
    this.state.seedIndex(repo, index, tags);
  }

  /** The exact bytes stored for a manifest, or undefined. */
  manifest(repo: string, ref: string): { mediaType: string; bytes: Uint8Array } | undefined {
    return this.state.resolve(repo, ref)?.manifest;
  }

  /** Whether a blob is linked into a repository. */
  hasBlob(repo: string, digest: string): boolean {
    return this.state.repos.get(repo)?.blobs.has(digest) ?? false;
  }

  /** Number of upload sessions still open. */
  openUploads(): number {
    return this.state.uploads.size;
  }

  /** Answers one request. */
  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    this.requests.push({
      method: req.method,
      host: url.host,
      path: url.pathname,
      url: req.url,
      headers: new Headers(req.headers),
    });
    const fault = this.faults.take(req.method, url.pathname, "response");
    if (fault !== undefined) {
      await req.body?.cancel();
      if ("reset" in fault) throw new TypeError("connection reset by peer (injected)");
      if ("status" in fault) return faultResponse(fault);
    }
    if (this.auth?.isRealm(url)) return this.auth.issue(req);
    if (url.host === this.#opts.blobRedirectHost) return this.#storage(url);
    if (url.host !== this.host) {
      throw new TypeError(`connection refused: fake registry does not serve ${url.host}`);
    }
    const res = await this.#route(req, url);
    if (req.method === "HEAD" && res.body !== null) {
      return new Response(null, { status: res.status, headers: res.headers });
    }
    return res;
  }

  #storage(url: URL): Response {
    const digest = url.pathname.split("/").pop() ?? "";
    const bytes = this.state.blobs.get(digest);
    if (bytes === undefined) return ociError(404, "BLOB_UNKNOWN", "no such blob in storage");
    return new Response(asBody(bytes), { headers: { "Content-Length": String(bytes.length) } });
  }

  #authorize(req: Request, needs: string[]): Response | null {
    return this.auth ? this.auth.check(req, needs) : null;
  }

  async #route(req: Request, url: URL): Promise<Response> {
    const p = url.pathname;
    const m = req.method;
    if (p === "/v2/" || p === "/v2") return this.#authorize(req, []) ?? Response.json({});
    if (p === "/v2/_catalog") {
      return this.#authorize(req, ["registry:catalog:*"]) ?? this.#catalog(url);
    }
    let g: RegExpExecArray | null;
    if ((g = /^\/v2\/(.+)\/tags\/list$/.exec(p))) {
      return this.#authorize(req, [`repository:${g[1]}:pull`]) ?? this.#tags(g[1]!, url);
    }
    if ((g = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(p))) {
      const [name, ref] = [g[1]!, decodeURIComponent(g[2]!)];
      if (m === "PUT") {
        return this.#authorize(req, [`repository:${name}:pull`, `repository:${name}:push`]) ??
          await this.#putManifest(req, name, ref);
      }
      return this.#authorize(req, [`repository:${name}:pull`]) ?? this.#getManifest(req, name, ref);
    }
    if ((g = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(p)) && this.#opts.referrers && m === "GET") {
      const [name, digest] = [g[1]!, decodeURIComponent(g[2]!)];
      const opts = typeof this.#opts.referrers === "object" ? this.#opts.referrers : {};
      return this.#authorize(req, [`repository:${name}:pull`]) ??
        referrersAnswer(this.state, name, digest, url, opts);
    }
    if ((g = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(p)) && m === "POST") {
      const name = g[1]!;
      const from = url.searchParams.get("from");
      const needs = [`repository:${name}:pull`, `repository:${name}:push`];
      if (from !== null && url.searchParams.has("mount")) needs.push(`repository:${from}:pull`);
      return this.#authorize(req, needs) ?? await this.#startUpload(req, name, url);
    }
    if ((g = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(p))) {
      const name = g[1]!;
      return this.#authorize(req, [`repository:${name}:pull`, `repository:${name}:push`]) ??
        await this.#upload(req, name, g[2]!, url);
    }
    if ((g = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(p))) {
      return this.#authorize(req, [`repository:${g[1]}:pull`]) ?? this.#getBlob(req, g[1]!, g[2]!);
    }
    await req.body?.cancel();
    return ociError(404, "UNSUPPORTED", `no route for ${m} ${p}`);
  }

  /** Slices a sorted list by `last` and `n`, with a Link header when more remain. */
  #page(items: string[], url: URL): { page: string[]; link?: string } {
    const last = url.searchParams.get("last");
    const asked = url.searchParams.get("n");
    let n = asked === null ? Infinity : Number(asked);
    if (this.#opts.pageSize !== undefined) n = Math.min(n, this.#opts.pageSize);
    const start = last === null ? 0 : items.findIndex((x) => x > last);
    const from = start < 0 ? items.length : start;
    const page = items.slice(from, from + n);
    if (from + n >= items.length || page.length === 0) return { page };
    const next = new URLSearchParams({ n: String(n), last: page[page.length - 1]! });
    const path = `${url.pathname}?${next}`;
    const target = this.#opts.linkHost ? `${url.protocol}//${this.#opts.linkHost}${path}` : path;
    return { page, link: `<${target}>; rel="next"` };
  }

  #catalog(url: URL): Response {
    const { page, link } = this.#page(this.state.names(), url);
    return Response.json({ repositories: page }, { headers: link ? { Link: link } : {} });
  }

  #tags(name: string, url: URL): Response {
    const repo = this.state.repos.get(name);
    const ext = this.#opts.extension;
    const children = ext ? this.state.children(name) : [];
    if (repo === undefined && children.length === 0) {
      return ociError(404, "NAME_UNKNOWN", `repository name not known to registry: ${name}`);
    }
    const tags = [...(repo?.tags.keys() ?? [])].sort();
    if (!ext) {
      const { page, link } = this.#page(tags, url);
      return Response.json({ name, tags: page }, { headers: link ? { Link: link } : {} });
    }
    const asInt = typeof ext === "object" && ext.numbers === "int";
    const num = (n: number) => asInt ? n : String(n);
    const manifest: Record<string, unknown> = {};
    for (const [digest, m] of repo?.manifests ?? []) {
      manifest[digest] = {
        imageSizeBytes: num(this.state.imageSize(m)),
        layerId: "",
        mediaType: m.mediaType,
        tag: tags.filter((t) => repo!.tags.get(t) === digest),
        timeCreatedMs: num(1583451840000 + m.seq),
        timeUploadedMs: num(1583475320000 + m.seq),
      };
    }
    return Response.json({ child: children, manifest, name, tags });
  }

  #getManifest(req: Request, name: string, ref: string): Response {
    const found = this.state.resolve(name, ref);
    if (found === undefined) return ociError(404, "MANIFEST_UNKNOWN", `manifest unknown: ${ref}`);
    const accept = (req.headers.get("Accept") ?? "").split(",").map((s) => s.trim());
    if (!accept.includes(found.manifest.mediaType)) {
      // A registry that cannot convert answers as if the manifest were absent.
      return ociError(404, "MANIFEST_UNKNOWN", `not acceptable: ${found.manifest.mediaType}`);
    }
    return new Response(asBody(found.manifest.bytes), {
      headers: {
        "Content-Type": found.manifest.mediaType,
        "Content-Length": String(found.manifest.bytes.length),
        "Docker-Content-Digest": found.digest,
      },
    });
  }

  async #putManifest(req: Request, name: string, ref: string): Promise<Response> {
    const bytes = new Uint8Array(await req.arrayBuffer());
    const mediaType = req.headers.get("Content-Type") ?? "";
    try {
      const digest = this.state.putManifest(name, ref, mediaType, bytes);
      const headers = new Headers({
        Location: `/v2/${name}/manifests/${digest}`,
        "Docker-Content-Digest": digest,
      });
      const subject = this.state.repos.get(name)?.manifests.get(digest)?.subject;
      if (this.#opts.referrers && subject !== undefined) headers.set("OCI-Subject", subject);
      return new Response(null, { status: 201, headers });
    } catch (e) {
      if (e instanceof ManifestRejected) return ociError(400, e.code, e.message);
      throw e;
    }
  }

  #getBlob(req: Request, name: string, digest: string): Response {
    const bytes = this.state.repos.get(name)?.blobs.has(digest)
      ? this.state.blobs.get(digest)
      : undefined;
    if (bytes === undefined) return ociError(404, "BLOB_UNKNOWN", `blob unknown: ${digest}`);
    if (req.method === "GET" && this.#opts.blobRedirectHost !== undefined) {
      const to = `https://${this.#opts.blobRedirectHost}/storage/${digest}?signature=fake`;
      return new Response(null, { status: 307, headers: { Location: to } });
    }
    return new Response(asBody(bytes), {
      headers: {
        "Content-Length": String(bytes.length),
        "Content-Type": "application/octet-stream",
        "Docker-Content-Digest": digest,
      },
    });
  }

  #location(name: string, id: string, state: string, url: URL): string {
    const path = `/v2/${name}/blobs/uploads/${id}?_state=${state}`;
    return this.#opts.absoluteLocations ? `${url.protocol}//${this.host}${path}` : path;
  }

  async #startUpload(req: Request, name: string, url: URL): Promise<Response> {
    const mount = url.searchParams.get("mount");
    const from = url.searchParams.get("from");
    if (mount !== null && from !== null) {
      const forced202 = this.faults.take("POST", url.pathname, "mount") !== undefined;
      if (!forced202 && this.hasBlob(from, mount)) {
        await req.body?.cancel();
        this.state.repo(name).blobs.add(mount);
        return new Response(null, {
          status: 201,
          headers: { Location: `/v2/${name}/blobs/${mount}`, "Docker-Content-Digest": mount },
        });
      }
    }
    const digest = url.searchParams.get("digest");
    if (digest !== null) {
      const bytes = new Uint8Array(await req.arrayBuffer());
      return this.#commit(name, digest, bytes);
    }
    await req.body?.cancel();
    const id = `upload-${++this.#uploadSeq}`;
    const state = `s${this.#uploadSeq}x`;
    this.state.uploads.set(id, { repo: name, state, chunks: [], size: 0 });
    return new Response(null, {
      status: 202,
      headers: {
        Location: this.#location(name, id, state, url),
        "Docker-Upload-UUID": id,
        Range: "0-0",
      },
    });
  }

  #commit(name: string, digest: string, bytes: Uint8Array): Response {
    if (digestOf(bytes) !== digest) {
      return ociError(400, "DIGEST_INVALID", `content does not match digest ${digest}`);
    }
    this.state.putBlob(name, digest, bytes);
    return new Response(null, {
      status: 201,
      headers: { Location: `/v2/${name}/blobs/${digest}`, "Docker-Content-Digest": digest },
    });
  }

  async #upload(req: Request, name: string, id: string, url: URL): Promise<Response> {
    const session = this.state.uploads.get(id);
    if (session === undefined || session.repo !== name) {
      await req.body?.cancel();
      return ociError(404, "BLOB_UPLOAD_UNKNOWN", `upload unknown: ${id}`);
    }
    if (url.searchParams.get("_state") !== session.state) {
      await req.body?.cancel();
      return ociError(400, "BLOB_UPLOAD_INVALID", "upload state missing or wrong");
    }
    if (req.method === "DELETE") {
      this.state.uploads.delete(id);
      return new Response(null, { status: 204 });
    }
    if (req.method === "GET") {
      // The upload's status: how many bytes the session holds.
      return new Response(null, {
        status: 204,
        headers: { Range: `0-${Math.max(0, session.size - 1)}`, "Docker-Upload-UUID": id },
      });
    }
    if (req.method !== "PATCH" && req.method !== "PUT") {
      await req.body?.cancel();
      return ociError(405, "UNSUPPORTED", `${req.method} on an upload`);
    }
    if (req.body !== null) {
      try {
        for await (const chunk of req.body) {
          session.chunks.push(chunk);
          session.size += chunk.length;
        }
      } catch (e) {
        throw new TypeError("request body stream failed", { cause: e });
      }
    }
    if (req.method === "PATCH") {
      return new Response(null, {
        status: 202,
        headers: {
          Location: this.#location(name, id, session.state, url),
          Range: `0-${Math.max(0, session.size - 1)}`,
          "Docker-Upload-UUID": id,
        },
      });
    }
    const digest = url.searchParams.get("digest");
    this.state.uploads.delete(id);
    if (digest === null) return ociError(400, "DIGEST_INVALID", "digest parameter missing");
    const bytes = new Uint8Array(session.size);
    let at = 0;
    for (const c of session.chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return this.#commit(name, digest, bytes);
  }
}

/** Whether a media type is an index or list (re-exported for tests). */
export { isIndexType };
