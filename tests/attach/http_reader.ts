/**
 * An AttachmentReader over raw HTTP, for tests: discovery runs against the fake registry and a
 * real `docker-registry` through it (cip's own Backend gets the referrers call when discovery is
 * wired into promotion). Tag lists and referrers follow `Link` pages; a referrers 404 is "no
 * API". Every request is counted.
 */
import type { AttachmentReader } from "../../src/attach/mod.ts";
import type { ManifestBytes } from "../../src/registry/api.ts";
import { MANIFEST_ACCEPT } from "../../src/registry/mod.ts";
import { digestOf } from "../fixtures/images.ts";

/** An AttachmentReader that also counts the HTTP requests it made. */
export interface HttpReader extends AttachmentReader {
  /** Requests made, in order, as `METHOD path?query`. */
  readonly requests: string[];
}

function nextUrl(res: Response, base: string): string | null {
  const m = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("Link") ?? "");
  return m === null ? null : new URL(m[1]!, base).href;
}

/** A reader of the registry at `base` (`http://host:port`), through `fetcher`. */
export function httpReader(base: string, fetcher: typeof fetch = fetch): HttpReader {
  const requests: string[] = [];
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const u = new URL(url);
    requests.push(`GET ${u.pathname}${u.search}`);
    return await fetcher(url, { headers });
  };
  const fail = async (res: Response, what: string): Promise<never> => {
    throw new Error(`${what}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  };
  return {
    requests,
    async listTags(repo) {
      const tags: string[] = [];
      let url: string | null = `${base}/v2/${repo}/tags/list?n=1000`;
      while (url !== null) {
        const res = await get(url);
        if (res.status === 404) {
          await res.body?.cancel();
          return tags;
        }
        if (res.status !== 200) await fail(res, `tags of ${repo}`);
        tags.push(...((await res.json()).tags ?? []));
        url = nextUrl(res, base);
      }
      return tags;
    },
    async getManifest(repo, ref): Promise<ManifestBytes | null> {
      const res = await get(`${base}/v2/${repo}/manifests/${ref}`, { Accept: MANIFEST_ACCEPT });
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (res.status !== 200) await fail(res, `manifest ${repo}:${ref}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const mediaType = (res.headers.get("Content-Type") ?? "").split(";")[0]!.trim();
      return {
        mediaType,
        digest: res.headers.get("Docker-Content-Digest") ?? digestOf(bytes),
        bytes,
      };
    },
    async getReferrers(repo, digest) {
      const out: unknown[] = [];
      let url: string | null = `${base}/v2/${repo}/referrers/${digest}`;
      while (url !== null) {
        const res = await get(url);
        if (res.status === 404) {
          await res.body?.cancel();
          return null;
        }
        if (res.status !== 200) await fail(res, `referrers of ${repo}@${digest}`);
        out.push(...((await res.json()).manifests ?? []));
        url = nextUrl(res, base);
      }
      return out;
    },
  };
}
