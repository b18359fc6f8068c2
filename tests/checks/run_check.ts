/** Runs one check alone against fixture manifests (and, for some, fake registries). */
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { type Check, type ReportedFinding, runPreSubmit } from "../../src/checks/mod.ts";
import {
  computeEdges,
  loadManifests,
  type Manifest,
  type ManifestInput,
} from "../../src/manifest/mod.ts";
import { type Backend, ContentReader, type OpenedRegistry } from "../../src/registry/mod.ts";
import { writeTree } from "../manifest/fixtures.ts";

/**
 * Manifests of a fixture: the text of a plain manifest, or the files of a thin directory
 * (`{"manifests/a/promoter-manifest.yaml": "...", "images/a/images.yaml": "..."}`).
 */
export type ManifestFiles = string | Record<string, string>;

/** What one check runs against. */
export interface CheckFixture {
  /** The manifests as the change leaves them. */
  head: ManifestFiles;
  /** The manifests at the git base (omitted: no base is known). */
  base?: ManifestFiles;
  /**
   * Registries the check may read, by registry name: a backend (prefix "") or a backend with
   * the path prefix the name adds. Omitted: no registry access.
   */
  registries?: Record<string, Backend | OpenedRegistry>;
  maxImageSizeMiB?: number;
}

/** What the check reported, and the manifest files' names for comparing with findings. */
export interface CheckRun {
  findings: ReportedFinding[];
  /** Whether the check was skipped because a condition did not hold. */
  skipped: boolean;
  /** The plain manifest's path, or the thin directory's, as findings name them. */
  dir: string;
  file: (rel?: string) => string;
}

/**
 * Writes the fixture's manifests, loads them like `cip` does, and runs `check` alone (or the
 * checks given, sharing one reader of registry contents as a run does).
 */
export async function runCheck(
  check: Check | Check[],
  fixture: CheckFixture,
): Promise<CheckRun> {
  const dir = await Deno.makeTempDir({ prefix: "cip-check-" });
  try {
    const base = fixture.base === undefined ? undefined : await load(dir, fixture.base);
    const head = await load(dir, fixture.head);
    const headEdges = computeEdges(head.manifests);
    const baseEdges = base ? computeEdges(base.manifests) : undefined;
    const registries = fixture.registries;
    const result = await runPreSubmit({
      checks: Array.isArray(check) ? check : [check],
      manifests: head.manifests,
      edges: headEdges,
      maxImageSizeBytes: (fixture.maxImageSizeMiB ?? 2048) * 1024 * 1024,
      debug: () => {},
      ...(base && baseEdges
        ? { base: { rev: "base", manifests: base.manifests, edges: baseEdges } }
        : {}),
      ...(registries
        ? {
          reader: new ContentReader(),
          openRegistry: (r) => {
            const found = registries[r.name];
            if (!found) throw new Error(`fixture: no registry ${r.name}`);
            return "backend" in found ? found : { backend: found, prefix: "" };
          },
        }
        : {}),
    });
    return {
      findings: result.findings,
      skipped: result.skipped.length > 0,
      dir,
      file: (rel = "promoter-manifest.yaml") => join(dir, rel),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes manifests into `dir` (replacing what was there) and loads them. */
async function load(dir: string, files: ManifestFiles): Promise<{ manifests: Manifest[] }> {
  for await (const e of Deno.readDir(dir)) {
    await Deno.remove(join(dir, e.name), { recursive: true });
  }
  let input: ManifestInput;
  if (typeof files === "string") {
    await Deno.writeTextFile(join(dir, "promoter-manifest.yaml"), files);
    input = { manifest: join(dir, "promoter-manifest.yaml") };
  } else {
    await writeTree(dir, files);
    input = { thinDir: dir };
  }
  return await loadManifests(input, new Logger("error", () => {}));
}
