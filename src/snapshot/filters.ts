/**
 * The snapshot filters: `--snapshot-tag`, `--minimal-snapshot` and
 * `--snapshot-without-attachments` (pure).
 */
import { parseAttachmentTag } from "../attach/mod.ts";
import type { Snapshot, SnapshotDigest } from "./rows.ts";

/** Keeps only digests carrying `tag` (with all their tags); drops images left empty. */
export function keepTagged(images: Snapshot, tag: string): Snapshot {
  return keepDigests(images, (d) => d.tags.includes(tag));
}

/**
 * Drops digests that carry no tag and are children of a manifest list or index of the same
 * image (`children` maps an image name to the child digests known for it, e.g. read from the
 * live registry; the snapshot's own `children` fields are used as well). Tagged children stay.
 */
export function minimal(
  images: Snapshot,
  children: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): Snapshot {
  const out: Snapshot = [];
  for (const image of images) {
    const kids = new Set(children.get(image.name) ?? []);
    for (const d of image.digests) for (const c of d.children ?? []) kids.add(c);
    const digests = image.digests.filter((d) => d.tags.length > 0 || !kids.has(d.digest));
    if (digests.length > 0) out.push({ ...image, digests });
  }
  return out;
}

/**
 * Leaves attachments out: the tags of cosign's scheme (`sha256-<hex>.sig|.att|.sbom`) and of
 * the referrers tag schema (`sha256-<hex>`), the digests only such tags named, and the untagged
 * children of those digests that no other digest lists (the referrers a referrers index names).
 */
export function withoutAttachments(images: Snapshot): Snapshot {
  const out: Snapshot = [];
  for (const image of images) {
    const attached = (d: SnapshotDigest) =>
      d.tags.length > 0 && d.tags.every((t) => parseAttachmentTag(t) !== null);
    const dropped = new Set<string>();
    const listedByKept = new Set<string>();
    for (const d of image.digests) {
      if (attached(d)) { for (const c of [d.digest, ...d.children ?? []]) dropped.add(c); }
      else for (const c of d.children ?? []) listedByKept.add(c);
    }
    const digests = image.digests
      .filter((d) =>
        !attached(d) &&
        !(d.tags.length === 0 && dropped.has(d.digest) && !listedByKept.has(d.digest))
      )
      .map((d) => ({ ...d, tags: d.tags.filter((t) => parseAttachmentTag(t) === null) }));
    if (digests.length > 0) out.push({ ...image, digests });
  }
  return out;
}

/** Keeps the digests `keep` accepts; drops images left without digests. */
function keepDigests(images: Snapshot, keep: (d: SnapshotDigest) => boolean): Snapshot {
  const out: Snapshot = [];
  for (const image of images) {
    const digests = image.digests.filter(keep);
    if (digests.length > 0) out.push({ ...image, digests });
  }
  return out;
}
