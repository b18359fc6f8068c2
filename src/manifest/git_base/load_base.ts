/**
 * Reads the manifests as they were at a git revision, through git (never the working tree):
 * the base a change is compared with, by the checks and by scoped promotion.
 */
import { basename, dirname, join } from "node:path";
import { posix } from "node:path";
import { relative } from "node:path";
import { Logger } from "../../log.ts";
import {
  computeEdges,
  describeSkipped,
  type EdgeSet,
  edgesOf,
  IMAGES_FILE,
  inSkippedParts,
  loadPlainManifest,
  loadThinManifests,
  type Manifest,
  ManifestErrors,
  type ManifestInput,
  PROMOTER_MANIFEST_FILE,
  type SkippedPart,
} from "../mod.ts";
import type { BaseRequest } from "./base_request.ts";
import { Git, GitError } from "./git.ts";
import { GitTree } from "./git_tree.ts";

/** The manifests at the git base the change is compared against. */
export interface BaseState {
  /** The revision as given (`origin/main`, a commit id, `HEAD^`). */
  rev: string;
  manifests: Manifest[];
  edges: EdgeSet;
}

/** The base of a run: what asked for it, where the manifests stand in git, what they were. */
export interface Base {
  request: BaseRequest;
  place: RepoPlace;
  state: BaseState;
}

/** What reading the base of a run needs besides the request. */
export interface ReadBaseOptions {
  /** Whether the run writes nothing (its checks need the base). */
  dryRun: boolean;
  /** Parts of the head's manifests left out of the run: left out of the base as well. */
  skipped: readonly SkippedPart[];
  log: Logger;
}

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

/** The files of a thin directory the loader reads (read from git in one go). */
const THIN_FILE = new RegExp(
  `^(?:manifests/[^/]+/${PROMOTER_MANIFEST_FILE}|images/[^/]+/${IMAGES_FILE})$`.replaceAll(
    ".",
    "\\.",
  ),
);

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
 * Reads the manifests the input names as they were at `rev`, through a GitTree whose files are
 * named like the head's, and validates them like the head's. A manifest (or thin directory)
 * that did not exist at `rev` means no manifests: everything is new.
 */
async function loadBaseManifests(
  input: ManifestInput,
  place: RepoPlace,
  rev: string,
  log: Logger,
): Promise<BaseState> {
  const commit = await place.git.resolve(rev);
  const root = place.prefix.replace(/\/$/, "");
  const quiet = new Logger("debug", (text) => log.debug(`at ${rev}: ${text.trimEnd()}`));
  try {
    let loaded;
    if (input.thinDir !== undefined) {
      const thinDir = input.thinDir.replace(/(?<=.)[/\\]+$/, "");
      const tree = await GitTree.open(
        place.git,
        commit,
        root,
        (p) => p === "" ? thinDir : `${thinDir}/${p}`,
        (p) => THIN_FILE.test(p),
      );
      if (!(await tree.list("manifests"))?.length) return noManifests(rev, log);
      loaded = await loadThinManifests(tree, "", quiet);
    } else {
      const manifest = input.manifest!;
      const name = basename(manifest);
      const tree = await GitTree.open(
        place.git,
        commit,
        root,
        (p) => p === name ? manifest : join(place.dir, p),
      );
      if ((await tree.list(""))?.every((e) => e.name !== name) ?? true) {
        return noManifests(rev, log);
      }
      loaded = await loadPlainManifest(tree, name, quiet);
    }
    // Parts left out at the base are compared as absent there (what the base promoted).
    for (const part of loaded.problems.skipped) {
      quiet.debug(`left out at the base: ${describeSkipped(part).join(" ")}`);
    }
    return { rev, manifests: loaded.manifests, edges: edgesOf(loaded) };
  } catch (e) {
    if (e instanceof ManifestErrors) {
      throw new BaseManifestError(
        `the manifests at ${rev} are not valid (${e.total} problem${e.total === 1 ? "" : "s"}; ` +
          `first: ${e.errors[0]?.message ?? e.message})`,
        { cause: e },
      );
    }
    if (e instanceof GitError) throw e;
    throw new BaseManifestError(`cannot read the manifests at ${rev}`, { cause: e });
  }
}

/**
 * Reads the base the request names, when the run has a use for it: the checks (dry runs) and
 * scoped promotion; `--diff-base` with `--confirm` needs none (undefined). What the head leaves
 * out for its problems is left out of the base too, so the change neither removes nor changes
 * it. Throws GitError or BaseManifestError.
 */
export async function readBase(
  input: ManifestInput,
  request: BaseRequest | null,
  options: ReadBaseOptions,
): Promise<Base | undefined> {
  if (!request || !(options.dryRun || request.scope)) return undefined;
  const place = await repoPlace(input);
  const rev = request.kind === "rev" ? request.rev : await place.git.lastCommitBefore(request.date);
  const since = request.kind === "since" ? `the last commit before "${request.date}", ` : "";
  options.log.info(`comparing the manifests with ${since}${rev} (${request.why})`);
  const state = await loadBaseManifests(input, place, rev, options.log);
  const skipped = inSkippedParts(options.skipped);
  state.edges = { ...state.edges, edges: state.edges.edges.filter((e) => !skipped(e)) };
  return { request, place, state };
}

/** The base of a change that adds the manifests: nothing was promoted before. */
function noManifests(rev: string, log: Logger): BaseState {
  log.info(`no manifests at ${rev}: everything in the manifests is new`);
  return { rev, manifests: [], edges: computeEdges([]) };
}
