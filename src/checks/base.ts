/** Reads the manifests as they were at a git revision, through git (never the working tree). */
import { basename, dirname, join, relative } from "node:path";
import { posix } from "node:path";
import { Logger } from "../log.ts";
import {
  computeEdges,
  loadManifests,
  type Manifest,
  ManifestErrors,
  type ManifestInput,
} from "../manifest/mod.ts";
import type { BaseState } from "./check.ts";
import { Git, GitError } from "./git.ts";

/** Where the manifests given on the command line stand in their git repository. */
export interface RepoPlace {
  git: Git;
  /** The directory holding the manifests: the thin directory, or the plain manifest's folder. */
  dir: string;
  /** `dir` relative to the repository root: "" or ending in `/`. */
  prefix: string;
}

/** The manifests at the base could not be read or are not valid. */
export class BaseManifestError extends Error {
  /** `message` names the revision and what went wrong. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BaseManifestError";
  }
}

const REGULAR = new Set(["100644", "100755"]);
const THIN_FILE = /^(?:manifests\/[^/]+\/promoter-manifest\.yaml|images\/[^/]+\/images\.yaml)$/;

/** Finds the repository of the manifests the input names; throws GitError outside one. */
export async function repoPlace(input: ManifestInput, gitBinary?: string): Promise<RepoPlace> {
  const dir = input.thinDir ?? dirname(input.manifest ?? ".");
  const git = new Git(dir, gitBinary);
  return { git, dir, prefix: await git.prefix() };
}

/** The path from the repository root of a manifest file named as the head's manifests name it. */
export function repoPath(place: Pick<RepoPlace, "dir" | "prefix">, file: string): string {
  const rel = relative(place.dir, file).split(/[\\/]/).join("/");
  return posix.join(place.prefix, rel);
}

/**
 * Reads the manifests the input names as they were at `rev`: the files are read with git,
 * written to a temporary directory, loaded and validated like the head's, and their file
 * names made to read like the head's. A manifest that did not exist at `rev` means no
 * manifests (everything is new).
 */
export async function loadBaseManifests(
  input: ManifestInput,
  place: RepoPlace,
  rev: string,
  log: Logger,
): Promise<BaseState> {
  const commit = await place.git.resolve(rev);
  const tmp = await Deno.makeTempDir({ prefix: "cip-base-" });
  try {
    const files = await place.git.listFiles(commit, place.prefix.replace(/\/$/, ""));
    const wanted = files.filter((f) => REGULAR.has(f.mode)).map((f) => ({
      path: f.path,
      rel: f.path.slice(place.prefix.length),
    })).filter(({ path, rel }) =>
      path.startsWith(place.prefix) &&
      (input.thinDir !== undefined ? THIN_FILE.test(rel) : rel === basename(input.manifest!))
    );
    const hasManifest = wanted.some(({ rel }) =>
      input.thinDir === undefined || rel.startsWith("manifests/")
    );
    if (!hasManifest) {
      log.info(`no manifests at ${rev}: everything in the manifests is new`);
      return { rev, manifests: [], edges: computeEdges([]) };
    }
    const contents = await place.git.readFiles(commit, wanted.map((w) => w.path));
    for (const { path, rel } of wanted) {
      const target = join(tmp, ...rel.split("/"));
      await Deno.mkdir(dirname(target), { recursive: true });
      await Deno.writeFile(target, contents.get(path)!);
    }
    await Deno.mkdir(join(tmp, "images"), { recursive: true });
    await Deno.mkdir(join(tmp, "manifests"), { recursive: true });
    const quiet = new Logger("debug", (text) => log.debug(`at ${rev}: ${text.trimEnd()}`));
    const tmpInput: ManifestInput = input.thinDir !== undefined
      ? { thinDir: tmp }
      : { manifest: join(tmp, basename(input.manifest!)) };
    let manifests: Manifest[];
    try {
      manifests = await loadManifests(tmpInput, quiet);
    } catch (e) {
      if (e instanceof ManifestErrors) {
        const first = e.errors[0]?.message.replaceAll(tmp, place.dir) ?? e.message;
        throw new BaseManifestError(
          `the manifests at ${rev} are not valid (${e.total} problems; first: ${first})`,
          { cause: e },
        );
      }
      throw e;
    }
    const rename = input.thinDir !== undefined
      ? (file: string) => inside(tmp, file, input.thinDir!)
      : (file: string) => file === tmpInput.manifest ? input.manifest! : file;
    for (const m of manifests) renameFiles(m, rename);
    return { rev, manifests, edges: computeEdges(manifests) };
  } catch (e) {
    if (e instanceof GitError || e instanceof BaseManifestError) throw e;
    throw new BaseManifestError(`cannot read the manifests at ${rev}`, { cause: e });
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** `to/x` for a file `from/x`; other files unchanged. */
function inside(from: string, file: string, to: string): string {
  const rel = relative(from, file);
  return rel.startsWith("..") ? file : join(to, rel);
}

/** Renames every file name a manifest holds. */
function renameFiles(m: Manifest, rename: (file: string) => string): void {
  m.file = rename(m.file);
  m.imagesFile = rename(m.imagesFile);
  for (const r of m.registries) r.pos = { ...r.pos, file: rename(r.pos.file) };
  for (const img of m.images) {
    img.pos = { ...img.pos, file: rename(img.pos.file) };
    for (const d of img.digests) {
      d.pos = { ...d.pos, file: rename(d.pos.file) };
      d.tagPos = d.tagPos.map((p) => ({ ...p, file: rename(p.file) }));
    }
  }
}
