/** The HTTP backend's repository listing: the extension's `child` walk, or `_catalog`. */
import { outsideText } from "../../safe_text.ts";
import type { TagListing } from "../api.ts";
import { RegistryError } from "../errors.ts";
import { isGoogleHost, isRepository, joinRepository } from "../reference.ts";
import { type HttpContext, urlOf } from "./context.ts";
import { Pagination } from "./link.ts";
import { expectStatus, readJsonCapped, send } from "./response.ts";
import { listTags } from "./tag.ts";

/**
 * All repositories equal to or below `prefix`, sorted: walked through the extension's
 * `child` on Google hosts and wherever the prefix's tags/list carries the extension,
 * otherwise read from `_catalog` and filtered by the prefix.
 */
export async function listRepositories(ctx: HttpContext, prefix: string): Promise<string[]> {
  if (prefix === "") return await catalog(ctx, "");
  let first: TagListing | undefined;
  let extension = isGoogleHost(ctx.host) || ctx.extensionAt.get(prefix);
  if (extension === undefined) {
    first = await listTags(ctx, prefix);
    extension = first.children !== undefined;
  }
  if (!extension) return await catalog(ctx, prefix);
  return (await walkChildren(ctx, prefix, { top: prefix, count: 0 }, first)).sort();
}

/** The repositories at and below `repo` through the extension's `child` lists. */
async function walkChildren(
  ctx: HttpContext,
  repo: string,
  walked: { top: string; count: number },
  known?: TagListing,
): Promise<string[]> {
  const listing = known ?? await listTags(ctx, repo);
  const children = listing.children ?? [];
  // Counted, and refused, before any of them is listed: the walk never outgrows the cap.
  walked.count += children.length;
  if (walked.count > ctx.limits.repositories) {
    throw new RegistryError(
      `Cannot list the repositories of ${ctx.display}: there are more than ` +
        `${ctx.limits.repositories} repositories below ${walked.top} (cip reads at most ` +
        "that many)",
    );
  }
  const here = listing.tags.length > 0 || (listing.manifests?.size ?? 0) > 0 ? [repo] : [];
  const below = await Promise.all(
    children.map((c) => walkChildren(ctx, joinRepository(repo, c), walked)),
  );
  return [...here, ...below.flat()];
}

/** The repositories of `_catalog` (every page) at or below `prefix`. */
async function catalog(ctx: HttpContext, prefix: string): Promise<string[]> {
  const what = `list the repositories of ${ctx.display}`;
  let url: URL | undefined = urlOf(ctx, `/v2/_catalog?n=${ctx.pageSize}`);
  const pages = new Pagination(url, ctx.limits);
  const names = new Set<string>();
  const out: string[] = [];
  while (url !== undefined) {
    const current: URL = url;
    const res = await send(
      () =>
        ctx.fetch(new Request(current), {
          scopes: ["registry:catalog:*"],
          read: ctx.limits.bytes + 1,
        }),
      what,
    );
    await expectStatus(res, [200], what);
    const body = await readJsonCapped(res, what, ctx.limits.bytes) as { repositories?: unknown };
    const repos = body.repositories ?? [];
    if (!Array.isArray(repos) || repos.some((r) => typeof r !== "string")) {
      throw new RegistryError(`Cannot ${what}: "repositories" is not a list of names`);
    }
    for (const r of repos as string[]) {
      if (!isRepository(r)) {
        throw new RegistryError(
          `Cannot ${what}: the registry lists "${outsideText(r, 80)}", which is not a ` +
            "repository name",
        );
      }
      names.add(r);
      if (prefix === "" || r === prefix || r.startsWith(`${prefix}/`)) out.push(r);
    }
    url = pages.next(res.headers.get("Link"), current, names.size);
  }
  return [...new Set(out)].sort();
}
