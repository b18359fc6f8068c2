/** The HTTP backend's tag listing: `tags/list`, paginated, or one answer with the extension. */
import type { TagListing } from "../api.ts";
import { isGoogleHost } from "../reference.ts";
import { type HttpContext, pullScope, urlOf } from "./context.ts";
import { Pagination } from "./link.ts";
import { errorFromResponse, expectStatus, readJsonCapped, send } from "./response.ts";
import { parseTagPage } from "./tag_page.ts";

/**
 * The tags of a repository, sorted, following `Link` pagination; with the GCR/AR extension also
 * the manifests and children (one complete answer). A repository that does not exist has
 * no tags. Each page is read whole inside its attempt, so a page cut short is asked again.
 */
export async function listTags(ctx: HttpContext, repo: string): Promise<TagListing> {
  const what = `list the tags of ${ctx.display}/${repo}`;
  let url: URL | undefined = urlOf(ctx, `/v2/${repo}/tags/list?n=${ctx.pageSize}`);
  const pages = new Pagination(url, ctx.limits);
  const tags = new Set<string>();
  let firstPage = true;
  while (url !== undefined) {
    const current: URL = url;
    const res = await send(
      () =>
        ctx.fetch(new Request(current), {
          scopes: [pullScope(repo)],
          read: ctx.limits.bytes + 1,
        }),
      what,
    );
    if (res.status === 404 && firstPage) {
      const err = await errorFromResponse(res, what);
      if (err.codes.length === 0 || err.codes.includes("NAME_UNKNOWN")) {
        ctx.extensionAt.set(repo, false);
        // Google's registries list untagged manifests too: there, 404 means no manifest at
        // all. A plain registry may answer 404 for a repository holding untagged ones.
        return isGoogleHost(ctx.host) ? { tags: [], absent: true } : { tags: [], notFound: true };
      }
      throw err;
    }
    await expectStatus(res, [200], what);
    const page = parseTagPage(await readJsonCapped(res, what, ctx.limits.bytes), repo);
    if (firstPage) ctx.extensionAt.set(repo, page.extension);
    if (page.extension) {
      const listing: TagListing = { tags: [...page.tags].sort() };
      if (page.manifests !== undefined) {
        listing.manifests = page.manifests;
        listing.complete = true;
      }
      if (page.children !== undefined) listing.children = page.children;
      return listing;
    }
    for (const t of page.tags) tags.add(t);
    firstPage = false;
    url = pages.next(res.headers.get("Link"), current, tags.size);
  }
  return { tags: [...tags].sort() };
}
