/** Reading `tags/list` answers, including the GCR / Artifact Registry extension (pure). */
import type { ListedManifest, TagListing } from "../api.ts";
import { outsideText } from "../../safe_text.ts";
import { RegistryError } from "../errors.ts";
import { isDigest, isRepository, isTag, joinRepository } from "../reference.ts";

/** A media type as RFC 6838 writes them (`type/subtype+suffix`), without parameters. */
const MEDIA_TYPE_RE = /^[A-Za-z0-9][\w!#$&^.+-]{0,126}\/[A-Za-z0-9][\w!#$&^.+-]{0,126}$/;

/** One page of a tag listing; `extension` when it carried `manifest` or `child`. */
export interface TagPage extends TagListing {
  extension: boolean;
}

/** A number the extension sent as a string (GCR) or an integer (AR); undefined otherwise. */
export function extensionNumber(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value === "string" && /^\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function stringList(value: unknown, field: string, repo: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new RegistryError(`Cannot list tags of ${repo}: "${field}" is not a list of strings`);
  }
  return value as string[];
}

/** `stringList`, each entry checked by `valid`: names from a registry end up in output. */
function names(
  value: unknown,
  field: string,
  repo: string,
  valid: (name: string) => boolean,
  kind: string,
): string[] {
  const list = stringList(value, field, repo);
  const bad = list.find((n) => !valid(n));
  if (bad !== undefined) {
    throw new RegistryError(
      `Cannot list tags of ${repo}: "${field}" holds "${
        outsideText(bad, 80)
      }", which is not ${kind}`,
    );
  }
  return list;
}

/**
 * One string per media type for the whole run: a listing repeats a handful of media types for
 * every manifest, and a run keeps what it lists (a million manifests, not a million copies).
 */
const MEDIA_TYPES = new Map<string, string>();
const MAX_SHARED_MEDIA_TYPES = 1000;

function shared(mediaType: string): string {
  const known = MEDIA_TYPES.get(mediaType);
  if (known !== undefined) return known;
  if (MEDIA_TYPES.size < MAX_SHARED_MEDIA_TYPES) MEDIA_TYPES.set(mediaType, mediaType);
  return mediaType;
}

/** Parses one tags/list answer body. */
export function parseTagPage(value: unknown, repo: string): TagPage {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RegistryError(`Cannot list tags of ${repo}: the answer is not a JSON object`);
  }
  const body = value as Record<string, unknown>;
  const tags = names(body.tags, "tags", repo, isTag, "a tag");
  const hasManifest = typeof body.manifest === "object" && body.manifest !== null;
  const hasChild = Array.isArray(body.child);
  if (!hasManifest && !hasChild) return { tags, extension: false };
  const manifests = new Map<string, ListedManifest>();
  if (hasManifest) {
    for (const [digest, raw] of Object.entries(body.manifest as Record<string, unknown>)) {
      if (!isDigest(digest) || typeof raw !== "object" || raw === null) continue;
      const info = raw as Record<string, unknown>;
      const listed: ListedManifest = {
        tags: [...names(info.tag, `manifest.${digest}.tag`, repo, isTag, "a tag")].sort(),
      };
      if (typeof info.mediaType === "string" && MEDIA_TYPE_RE.test(info.mediaType)) {
        listed.mediaType = shared(info.mediaType);
      }
      const size = extensionNumber(info.imageSizeBytes);
      if (size !== undefined) listed.size = size;
      manifests.set(digest, listed);
    }
  }
  return {
    tags,
    manifests,
    children: hasChild
      ? names(
        body.child,
        "child",
        repo,
        (c) => !c.includes("/") && isRepository(joinRepository(repo, c)),
        "a repository name below it",
      )
      : [],
    extension: true,
  };
}
