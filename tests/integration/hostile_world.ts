/**
 * The world of the hostile-input tests: a real source and destination `docker-registry`, each
 * behind a fault proxy on 127.0.0.1 whose current rule may answer a request itself (a 401 with
 * an odd challenge, a 403, a 429, a body that breaks off, bytes that do not match their digest)
 * or let it through to the registry.
 */
import { makeImage, pushImage } from "../fixtures/images.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";
import { startRegistry } from "./registry_process.ts";

/** Answers a request in the registry's place, or returns undefined to let it through. */
export type Rule = (req: Request, url: URL) => Response | undefined;

/** A fault proxy in front of a registry. */
export interface FaultProxy {
  /** `127.0.0.1:PORT` of the proxy. */
  host: string;
  /** The rule of the case being run; `pass` lets everything through. */
  rule: Rule;
  /** Requests the proxy received, as `METHOD path`. */
  seen: string[];
}

/** Lets every request through. */
export const pass: Rule = () => undefined;

/** Answers with an OCI error body. */
export function ociError(status: number, code: string, message: string, headers = {}): Response {
  return Response.json({ errors: [{ code, message }] }, { status, headers });
}

/** Whether a request writes (anything but GET and HEAD). */
export function isWrite(req: Request): boolean {
  return req.method !== "GET" && req.method !== "HEAD";
}

/** The hostile world: registries, proxies, a source image and a scratch directory. */
export interface HostileWorld {
  src: FaultProxy;
  dst: FaultProxy;
  /** The source image `stage/foo:1.0` (OCI, two layers). */
  digest: string;
  /** A scratch directory for manifests and reports. */
  dir: string;
  /** Whether the destination registry holds `repo:tag` (asked directly, not via the proxy). */
  dstHasTag(repo: string, tag: string): Promise<boolean>;
  /** Writes a plain manifest promoting `stage/foo` from `srcHost` to `dstName`; returns its path. */
  manifest(file: string, srcHost: string, dstName: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts two registries with a proxy each, and pushes `stage/foo` and `stage/bar` to the source. */
export async function startHostileWorld(): Promise<HostileWorld> {
  const srcReg = await startRegistry();
  const dstReg = await startRegistry();
  const img = makeImage({ layers: 2, mediaType: "oci", seed: 11, layerSize: 4096 });
  await pushImage(srcReg.url, "stage/foo", img, ["1.0"]);
  await pushImage(
    srcReg.url,
    "stage/bar",
    makeImage({ layers: 1, mediaType: "docker", seed: 12 }),
    ["2.0"],
  );
  const src = proxy(srcReg.url);
  const dst = proxy(dstReg.url);
  const dir = await tempDir("cip-hostile-");
  return {
    src: src.proxy,
    dst: dst.proxy,
    digest: img.manifest.digest,
    dir,
    async dstHasTag(repo, tag) {
      const res = await fetch(`${dstReg.url}/v2/${repo}/manifests/${tag}`, {
        method: "HEAD",
        headers: { Accept: img.manifest.mediaType },
      });
      await res.body?.cancel();
      return res.status === 200;
    },
    async manifest(file, srcHost, dstName) {
      const path = `${dir}/${file}`;
      await Deno.writeTextFile(
        path,
        `registries:\n  - name: ${srcHost}/stage\n    src: true\n  - name: ${dstName}\n` +
          `images:\n  - name: foo\n    dmap:\n      "${img.manifest.digest}": ["1.0"]\n`,
      );
      return path;
    },
    async stop() {
      await src.server.shutdown();
      await dst.server.shutdown();
      await srcReg.stop();
      await dstReg.stop();
    },
  };
}

function proxy(upstream: string): { proxy: FaultProxy; server: Deno.HttpServer } {
  const upHost = new URL(upstream).host;
  const p: FaultProxy = { host: "", rule: pass, seen: [] };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    p.seen.push(`${req.method} ${url.pathname}`);
    const answer = p.rule(req, url);
    if (answer !== undefined) {
      await req.body?.cancel();
      return answer;
    }
    const up = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
    });
    const headers = new Headers(up.headers);
    const loc = headers.get("location");
    if (loc !== null) headers.set("location", loc.replace(upHost, p.host));
    return new Response(up.body, { status: up.status, headers });
  });
  p.host = `127.0.0.1:${server.addr.port}`;
  return { proxy: p, server };
}
