/** Check `manifest-list-children`: every child of a promoted manifest list is in the source. */
import { CAN_READ_REGISTRIES, type Check, type Finding } from "./check.ts";
import { sourceDigests } from "./_edge_keys.ts";
import { ImageReader, modelOrNull } from "./_image_reader.ts";
import { HeadLocator } from "./_locate.ts";

/** Fails for each child of a promoted manifest list or index the source registry lacks. */
export const manifestListChildren: Check = {
  name: "manifest-list-children",
  description: "Every child of a promoted manifest list or OCI index must exist in the source " +
    "registry. Reads the source registry.",
  when: [CAN_READ_REGISTRIES],
  run: async (ctx) => {
    const reader = new ImageReader(ctx.openRegistry!, ctx.reader);
    const locator = new HeadLocator(ctx.manifests);
    const perImage = await Promise.all(
      sourceDigests(ctx.changed).map(async (e) => {
        const list = await reader.manifest(e.src, e.image, e.digest);
        if (list === null) {
          ctx.debug(`manifest-list-children: ${e.image}@${e.digest} is not in the source`);
          return [];
        }
        const where = locator.place(e.manifest.imagesFile, e.image, e.digest);
        const model = modelOrNull(list);
        if (model === null) {
          const unreadable: Finding = {
            severity: "error",
            message: `${e.src.name}/${e.image}@${e.digest} in the source registry is not a ` +
              `manifest cip can read; it cannot be promoted`,
            ...where,
          };
          return [unreadable];
        }
        if (model.kind !== "index") return [];
        const missing: string[] = [];
        for (const { digest: child } of model.children) {
          if (!(await reader.has(e.src, e.image, child))) missing.push(child);
        }
        return missing.map((child): Finding => ({
          severity: "error",
          message: `child ${child} of the manifest list ${e.src.name}/${e.image}@${e.digest} ` +
            `is missing from the source registry (${missing.length} of ` +
            `${model.children.length} children missing); the list cannot be promoted whole`,
          ...where,
        }));
      }),
    );
    return perImage.flat();
  },
};
