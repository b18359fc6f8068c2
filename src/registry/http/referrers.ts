/**
 * The HTTP backend's referrers listing (OCI distribution spec v1.1, "Listing Referrers"):
 * `GET /v2/<name>/referrers/<digest>` answers an image index of the manifests whose `subject`
 * is the digest, paged with `Link`. A registry with the API never answers it with 404, so a
 * 404 means the registry has no referrers API (the caller then reads the referrers tag schema).
 */
import { OCI_INDEX } from "../../oci/mod.ts";
import { RegistryError } from "../errors.ts";
import { type HttpContext, pullScope, urlOf } from "./context.ts";
import { Pagination } from "./link.ts";
import { discard, expectStatus, readJsonCapped, send } from "./response.ts";

/**
 * The descriptors listed as referrers of `digest` in `repo` (every page, unchecked: the caller
 * validates each), or null when the registry answers 404 (no referrers API).
 */
export async function listReferrers(
  ctx: HttpContext,
  repo: string,
  digest: string,
): Promise<unknown[] | null> {
  const what = `list the referrers of ${ctx.display}/${repo}@${digest}`;
  let url: URL | undefined = urlOf(ctx, `/v2/${repo}/referrers/${digest}`);
  const pages = new Pagination(url, ctx.limits);
  const out: unknown[] = [];
  let firstPage = true;
  while (url !== undefined) {
    const current: URL = url;
    const res = await send(
      () =>
        ctx.fetch(new Request(current, { headers: { Accept: OCI_INDEX } }), {
          scopes: [pullScope(repo)],
          read: ctx.limits.bytes + 1,
        }),
      what,
    );
    if (res.status === 404 && firstPage) {
      await discard(res);
      return null;
    }
    await expectStatus(res, [200], what);
    const body = await readJsonCapped(res, what, ctx.limits.bytes);
    const manifests = (body as { manifests?: unknown } | null)?.manifests;
    if (typeof body !== "object" || body === null || !Array.isArray(manifests)) {
      throw new RegistryError(`Cannot ${what}: the answer is not an image index`);
    }
    out.push(...manifests);
    firstPage = false;
    url = pages.next(res.headers.get("Link"), current, out.length);
  }
  return out;
}
