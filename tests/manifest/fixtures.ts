/** Shared helpers of the manifest tests: fixture paths, digests, temporary trees, parsing. */
import {
  type ImageSpec,
  type Manifest,
  parsePlainManifest,
  parseThinManifest,
  Problems,
} from "../../src/manifest/mod.ts";

/** The testdata directory. */
export const TESTDATA = new URL("../../testdata/", import.meta.url).pathname;

/** A valid digest made of one repeated hex character, e.g. digest("a"). */
export function digest(c: string): string {
  return `sha256:${c.repeat(64)}`;
}

/** Writes files (path relative to `root` -> text or bytes) below `root`, creating directories. */
export async function writeTree(
  root: string,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = `${root}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(full, content);
    else await Deno.writeFile(full, content);
  }
}

/** A registries section: source gcr.io/staging and the given destinations (default gcr.io/prod). */
export function registriesYaml(...dsts: string[]): string {
  const names = dsts.length > 0 ? dsts : ["gcr.io/prod"];
  return "registries:\n- name: gcr.io/staging\n  src: true\n" +
    names.map((n) => `- name: ${n}\n`).join("");
}

/** An images list with one image and its digests mapped to tags. */
export function imagesYaml(image: string, dmap: Record<string, string[]>): string {
  const lines = Object.entries(dmap).map(([d, tags]) => `    "${d}": ${JSON.stringify(tags)}\n`);
  return `- name: ${image}\n  dmap:\n${lines.join("")}`;
}

/** A plain manifest from a registries section and images lists. */
export function plainYaml(registries: string, images: string): string {
  return `${registries}images:\n${images}`;
}

/** Parses a plain manifest's text as the loader does; throws ManifestErrors for any problem. */
export function parseText(text: string, file: string): Manifest {
  const problems = new Problems();
  const manifest = parsePlainManifest(text, file, problems);
  problems.throwIfAny();
  return manifest!;
}

/**
 * Parses the text of a thin `images.yaml` as the loader does, beside a `promoter-manifest.yaml`
 * naming only a source; null when it is not usable (the problems say why).
 */
export function parseImagesYaml(
  text: string,
  file: string,
  problems: Problems,
): ImageSpec[] | null {
  const registries = "registries:\n- name: gcr.io/staging\n  src: true\n";
  return parseThinManifest(registries, "promoter-manifest.yaml", text, file, problems)?.images ??
    null;
}
