/** Reading `tags/list` answers, including the GCR / Artifact Registry extension (pure). */
import type { ListedManifest, TagListing } from "./api.ts";
import { RegistryError } from "./errors.ts";
import { isDigest } from "./reference.ts";

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

/** Parses one tags/list answer body. */
export function parseTagPage(value: unknown, repo: string): TagPage {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RegistryError(`Cannot list tags of ${repo}: the answer is not a JSON object`);
  }
  const body = value as Record<string, unknown>;
  const tags = stringList(body.tags, "tags", repo);
  const hasManifest = typeof body.manifest === "object" && body.manifest !== null;
  const hasChild = Array.isArray(body.child);
  if (!hasManifest && !hasChild) return { tags, extension: false };
  const manifests = new Map<string, ListedManifest>();
  if (hasManifest) {
    for (const [digest, raw] of Object.entries(body.manifest as Record<string, unknown>)) {
      if (!isDigest(digest) || typeof raw !== "object" || raw === null) continue;
      const info = raw as Record<string, unknown>;
      const listed: ListedManifest = {
        tags: [...stringList(info.tag, `manifest.${digest}.tag`, repo)].sort(),
      };
      if (typeof info.mediaType === "string" && info.mediaType !== "") {
        listed.mediaType = info.mediaType;
      }
      const size = extensionNumber(info.imageSizeBytes);
      if (size !== undefined) listed.size = size;
      manifests.set(digest, listed);
    }
  }
  return {
    tags,
    manifests,
    children: hasChild ? stringList(body.child, "child", repo) : [],
    extension: true,
  };
}
