/** Strict parsing of manifest files into the model: plain manifests and thin pairs (pure). */
import { isMap } from "yaml";
import { parseRegistryName } from "../registry/reference.ts";
import { decodeManifestText, MAX_MANIFEST_BYTES } from "./decode_text.ts";
import { parseImages, type PathPrefix } from "./parse_images.ts";
import { parseRegistries } from "./parse_registries.ts";
import { Problems } from "./problems.ts";
import { readFields } from "./strict_map.ts";
import type { ImageSpec, Manifest, RegistrySpec } from "./types.ts";
import { readYamlDocument, type YamlFile } from "./yaml_reader.ts";

/** The fields of a plain manifest. */
export const PLAIN_MANIFEST_FIELDS = ["registries", "images"] as const;

/** The fields of a thin directory's promoter-manifest.yaml. */
export const THIN_MANIFEST_FIELDS = ["registries"] as const;

/** The contents of a manifest file: bytes as read, or text already decoded. */
export type FileContent = Uint8Array | string;

/**
 * Parses a plain manifest (`registries` and `images` in one file). Every problem is added to
 * `problems`; the manifest is returned only when the file had none.
 */
export function parsePlainManifest(
  content: FileContent,
  file: string,
  problems: Problems,
): Manifest | null {
  const before = problems.count;
  const y = openYaml(content, file, problems);
  if (!y) return null;
  const top = y.map(y.root, "", "a manifest (a map with registries and images)");
  if (!top) return null;
  const fields = readFields(y, top, "", PLAIN_MANIFEST_FIELDS);
  const registries = parseRegistries(y, fields.get("registries")?.value ?? null, y.pos(top));
  const images = parseImages(
    y,
    fields.get("images")?.value ?? null,
    y.pos(top),
    prefixes(registries),
  );
  if (problems.count > before) return null;
  return { file, imagesFile: file, registries, images };
}

/**
 * Parses a thin pair: `registriesFile` (promoter-manifest.yaml, `registries` only) and
 * `imagesFile` (images.yaml, the images list itself). Both files are validated fully; the
 * manifest is returned only when neither had a problem.
 */
export function parseThinManifest(
  registriesContent: FileContent,
  registriesFile: string,
  imagesContent: FileContent,
  imagesFile: string,
  problems: Problems,
): Manifest | null {
  const before = problems.count;
  const registries = parseThinRegistries(registriesContent, registriesFile, problems);
  const images = parseImagesFile(imagesContent, imagesFile, problems, prefixes(registries ?? []));
  if (problems.count > before || !registries || !images) return null;
  return { file: registriesFile, imagesFile, registries, images };
}

/** Parses a thin promoter-manifest.yaml; null when it has problems (all reported). */
export function parseThinRegistries(
  content: FileContent,
  file: string,
  problems: Problems,
): RegistrySpec[] | null {
  const before = problems.count;
  const y = openYaml(content, file, problems);
  if (!y) return null;
  const top = y.map(y.root, "", "a thin manifest (a map with registries)");
  if (!top) return null;
  const fields = readFields(
    y,
    top,
    "",
    THIN_MANIFEST_FIELDS,
    (key) =>
      key === "images"
        ? "a thin promoter-manifest.yaml holds only registries; images belong in the " +
          "images.yaml file of the same name under images/"
        : undefined,
  );
  const registries = parseRegistries(y, fields.get("registries")?.value ?? null, y.pos(top));
  return problems.count > before ? null : registries;
}

/**
 * Parses an images.yaml file (a list of images at the top), checking image paths below the
 * given registry prefixes; null when it has problems (all reported).
 */
export function parseImagesFile(
  content: FileContent,
  file: string,
  problems: Problems,
  registryPrefixes: readonly PathPrefix[] = [],
): ImageSpec[] | null {
  const before = problems.count;
  const y = openYaml(content, file, problems);
  if (!y) return null;
  if (isMap(y.root)) {
    y.error(
      y.root,
      "",
      "expected a list of images at the top of the file, got a map (an images.yaml file " +
        "holds the list itself, without an images: key)",
    );
    return null;
  }
  const images = parseImages(y, y.root, y.pos(y.root), registryPrefixes);
  return problems.count > before ? null : images;
}

/** Parses a plain manifest from text and throws ManifestErrors when it has any problem. */
export function parseManifestText(text: string, file: string): Manifest {
  const problems = new Problems();
  const manifest = parsePlainManifest(text, file, problems);
  problems.throwIfAny();
  return manifest!;
}

/** The path prefixes of registries, for checking image paths below them. */
export function prefixes(registries: readonly RegistrySpec[]): PathPrefix[] {
  const out: PathPrefix[] = [];
  for (const r of registries) {
    const parsed = parseRegistryName(r.name);
    if (!("error" in parsed)) out.push({ registry: r.name, prefix: parsed.prefix });
  }
  return out;
}

/** Decodes (when given bytes) and parses one YAML document; null when that failed. */
function openYaml(content: FileContent, file: string, problems: Problems): YamlFile | null {
  let text: string | null;
  if (typeof content === "string") {
    text = content;
  } else {
    if (content.length > MAX_MANIFEST_BYTES) {
      problems.add(
        { file, line: 0, col: 0 },
        "",
        `the file is ${content.length} bytes long; manifest files may be at most ` +
          `${MAX_MANIFEST_BYTES} bytes (${MAX_MANIFEST_BYTES / 1048576} MiB)`,
      );
      return null;
    }
    text = decodeManifestText(content, file, problems);
  }
  if (text === null) return null;
  if (text.length > MAX_MANIFEST_BYTES) {
    problems.add(
      { file, line: 0, col: 0 },
      "",
      `the file is longer than ${MAX_MANIFEST_BYTES} characters`,
    );
    return null;
  }
  return readYamlDocument(text, file, problems);
}
