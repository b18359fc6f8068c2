/**
 * Check `unsigned-image` (opt-in): warns when an image to promote has no signature in the
 * source, neither a cosign `.sig` tag nor a signature referrer (OCI 1.1), on it or, for an
 * index, on one of its children. It reads the source registry for every image (a tag listing
 * per repository, a manifest and a referrers list per digest), so it runs only when named.
 */
import { type AttachmentReader, discoverAttachments } from "../attach/mod.ts";
import type { RegistrySpec } from "../manifest/mod.ts";
import { CAN_READ_REGISTRIES, type Check, type Finding } from "./check.ts";
import { sourceDigests } from "./_edge_keys.ts";
import { ImageReader } from "./_image_reader.ts";
import { HeadLocator } from "./_locate.ts";

/** What discovery reads, through the checks' reader of images. */
function attachmentReader(
  images: ImageReader,
  spec: RegistrySpec,
  image: string,
): AttachmentReader {
  return {
    listTags: async () => (await images.listing(spec, image)).tags,
    getManifest: (_repo, ref) => images.manifest(spec, image, ref),
    getReferrers: (_repo, digest) => images.referrers(spec, image, digest),
  };
}

/** Warns for each source image digest with no signature attached. */
export const unsignedImage: Check = {
  name: "unsigned-image",
  description: "(opt-in: --checks=unsigned-image) Warns when an image to promote has no " +
    "signature in the source (no cosign .sig tag, no signature referrer). Reads the source " +
    "registry.",
  when: [CAN_READ_REGISTRIES],
  optIn: true,
  run: async (ctx) => {
    const images = new ImageReader(ctx.openRegistry!, ctx.reader);
    const locator = new HeadLocator(ctx.manifests);
    const groups = Map.groupBy(sourceDigests(ctx.changed), (e) => `${e.src.name}/${e.image}`);
    const found = await Promise.all([...groups.values()].map(async (edges) => {
      const { src, image } = edges[0]!;
      const subjects = [];
      const findings: Finding[] = [];
      for (const e of edges) {
        const m = await images.manifest(src, image, e.digest);
        if (m !== null) {
          subjects.push({ mediaType: m.mediaType, digest: e.digest, size: m.bytes.length });
        }
      }
      const reader = attachmentReader(images, src, image);
      const graph = await discoverAttachments(reader, image, subjects);
      const signed = new Set(
        graph.attachments.filter((a) => a.kind === "signature").map((a) => a.root),
      );
      const read = new Set(subjects.map((s) => s.digest));
      for (const e of edges) {
        if (!read.has(e.digest) || signed.has(e.digest)) continue;
        findings.push({
          severity: "warning",
          message: `${src.name}/${image}@${e.digest} has no signature in the source ` +
            "(no cosign .sig tag, no signature referrer)",
          ...locator.place(e.manifest.imagesFile, image, e.digest),
        });
      }
      return findings;
    }));
    return found.flat();
  },
};
