/** Check `image-size`: no promoted image is larger than `--max-image-size`. */
import { CAN_READ_REGISTRIES, type Check, type Finding } from "./check.ts";
import { sourceDigests } from "./_edge_keys.ts";
import { ImageReader } from "./_image_reader.ts";
import { HeadLocator } from "./_locate.ts";

const MIB = 1024 * 1024;

/** Fails for images above the size limit; warns for images whose size is 0 or unknown. */
export const imageSize: Check = {
  name: "image-size",
  description: "No promoted image may be larger than --max-image-size MiB (an index counts " +
    "its largest child); a size of 0 or unknown is a warning. Reads the source registry.",
  when: [CAN_READ_REGISTRIES],
  run: async (ctx) => {
    const reader = new ImageReader(ctx.openRegistry!, ctx.reader);
    const locator = new HeadLocator(ctx.manifests);
    const limit = ctx.maxImageSizeBytes;
    const results = await Promise.all(
      sourceDigests(ctx.changed).map(async (e): Promise<Finding | null> => {
        const where = locator.place(e.manifest.imagesFile, e.image, e.digest);
        const ref = `${e.src.name}/${e.image}@${e.digest}`;
        const size = await reader.size(e.src, e.image, e.digest);
        if (!size.found) {
          return {
            severity: "warning",
            message: `cannot tell the size of ${ref}: the source registry does not have it`,
            ...where,
          };
        }
        if (size.bytes === undefined || size.bytes === 0) {
          return {
            severity: "warning",
            message: `the size of ${ref} is ${size.bytes === 0 ? "0" : "unknown"}: ` +
              "the registry reports none and its manifest lists no layer sizes",
            ...where,
          };
        }
        ctx.debug(`image-size: ${ref} is ${size.bytes} bytes`);
        if (size.bytes <= limit) return null;
        const child = size.largestChild ? ` (its largest child ${size.largestChild})` : "";
        return {
          severity: "error",
          message: `${ref}${child} is ${formatSize(size.bytes)}, more than the ` +
            `${formatSize(limit)} --max-image-size allows`,
          ...where,
        };
      }),
    );
    return results.filter((f): f is Finding => f !== null);
  },
};

/** A byte count for people: bytes, KiB or MiB, with at most one decimal. */
function formatSize(bytes: number): string {
  const [value, unit] = bytes >= MIB
    ? [bytes / MIB, "MiB"]
    : bytes >= 1024
    ? [bytes / 1024, "KiB"]
    : [bytes, "bytes"];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}
