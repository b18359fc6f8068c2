/** Strict parsing of manifest files into the model: plain manifests and thin pairs (pure). */
import { isMap } from "yaml";
import { parseRegistryName } from "../registry/mod.ts";
import { decodeManifestText, MAX_MANIFEST_BYTES } from "./decode_text.ts";
import { parseImages, type PathPrefix } from "./parse_images.ts";
import { parsePolicyBlock } from "./parse_policy.ts";
import { parseRegistries } from "./parse_registries.ts";
import { filePos, type Problems } from "./problems.ts";
import { readFields } from "./strict_map.ts";
import type { ImageSpec, Manifest, ManifestPolicy, RegistrySpec } from "./types.ts";
import { isNothing, readYamlDocument, type YamlFile } from "./yaml_reader.ts";

/** The fields of a plain manifest. */
const PLAIN_MANIFEST_FIELDS = ["registries", "images", "policy"] as const;

/**
 * The fields of a thin directory's promoter-manifest.yaml. `imagesPath` is a deprecated field
 * of the original promoter that does nothing; it is accepted and ignored.
 */
const THIN_MANIFEST_FIELDS = ["registries", "imagesPath", "policy"] as const;

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
  if (y.root === null) {
    problems.add(filePos(file), "", "the file holds nothing; expected a promoter manifest");
    return null;
  }
  const top = y.map(y.root, "", "a manifest (a map with registries and images)");
  if (!top) return null;
  const fields = readFields(y, top, "", PLAIN_MANIFEST_FIELDS);
  const registries = parseRegistries(y, fields.get("registries")?.value ?? null, y.pos(top));
  const policyField = fields.get("policy");
  const policy = policyField ? parsePolicyBlock(y, policyField.value) : undefined;
  // Problems up to here concern the whole manifest; those inside one image only leave it out.
  const wholeFile = problems.count > before;
  const imagesField = fields.get("images");
  const imagesNode = imagesField?.value ?? null;
  let images: ImageSpec[] | null = [];
  if (isNothing(imagesNode)) {
    const at = imagesField?.pos ?? y.pos(top);
    y.problems.warn(at, "images", "no images are listed: this manifest promotes nothing");
  } else {
    images = parseImages(y, imagesNode, { thin: false, prefixes: prefixes(registries) });
  }
  if (wholeFile || images === null) return null;
  return withPolicy({ file, imagesFile: file, registries, images }, policy);
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
  const thin = parseThinRegistries(registriesContent, registriesFile, problems);
  const registries = thin?.registries ?? null;
  const images = parseImagesFile(imagesContent, imagesFile, problems, prefixes(registries ?? []));
  if (!thin || !registries || !images) return null;
  return withPolicy({ file: registriesFile, imagesFile, registries, images }, thin.policy);
}

/** The manifest with its policy block, when it has one. */
function withPolicy(m: Manifest, policy: ManifestPolicy | null | undefined): Manifest {
  if (policy) m.policy = policy;
  return m;
}

/** Parses a thin promoter-manifest.yaml; null when it has problems (all reported). */
function parseThinRegistries(
  content: FileContent,
  file: string,
  problems: Problems,
): { registries: RegistrySpec[]; policy?: ManifestPolicy } | null {
  const before = problems.count;
  const y = openYaml(content, file, problems);
  if (!y) return null;
  if (y.root === null) {
    problems.add(
      filePos(file),
      "",
      "the file holds nothing; expected the registries of a thin manifest",
    );
    return null;
  }
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
  const imagesPath = fields.get("imagesPath");
  if (imagesPath) {
    y.problems.note(
      imagesPath.pos,
      "imagesPath",
      "ignored: a deprecated field that does nothing; the images are always read from " +
        "images/<name>/images.yaml",
    );
  }
  const registries = parseRegistries(y, fields.get("registries")?.value ?? null, y.pos(top));
  const policyField = fields.get("policy");
  const policy = policyField ? parsePolicyBlock(y, policyField.value) : null;
  if (problems.count > before) return null;
  return policy ? { registries, policy } : { registries };
}

/**
 * Parses an images.yaml file (a list of images at the top), checking image paths below the
 * given registry prefixes. A file that holds nothing (empty, only comments) lists no images.
 * Null when the file as a whole is not usable; a problem inside one image leaves out only that
 * image or digest (recorded in `problems` as a skipped part). Every problem is reported.
 */
function parseImagesFile(
  content: FileContent,
  file: string,
  problems: Problems,
  registryPrefixes: readonly PathPrefix[] = [],
): ImageSpec[] | null {
  const y = openYaml(content, file, problems);
  if (!y) return null;
  if (y.root === null) return [];
  if (isMap(y.root)) {
    y.error(
      y.root,
      "",
      "expected a list of images at the top of the file, got a map (an images.yaml file " +
        "holds the list itself, without an images: key)",
    );
    return null;
  }
  return parseImages(y, y.root, { thin: true, prefixes: registryPrefixes });
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
