/** Loading manifests from a file tree: one plain manifest file, or a thin manifest directory. */
import type { Logger } from "../log.ts";
import { MAX_MANIFEST_BYTES, MAX_TOTAL_MANIFEST_BYTES } from "./decode_text.ts";
import { type FileTree, joinTreePath, type TreeEntry, TreeError } from "./file_tree.ts";
import { FsTree } from "./fs_tree.ts";
import { computeEdges, type EdgeSet, overlapErrors } from "./edges.ts";
import { parsePlainManifest, parseThinManifest } from "./parse.ts";
import { filePos, Problems, quote } from "./problems.ts";
import type { Manifest } from "./types.ts";
import { compareText } from "../compare_text.ts";

/** Which manifests to read: a plain file or a thin directory. */
export interface ManifestInput {
  manifest?: string;
  thinDir?: string;
}

/** The file of a thin sub-manifest that holds its registries. */
export const PROMOTER_MANIFEST_FILE = "promoter-manifest.yaml";

/** The file of a thin sub-manifest that holds its images. */
export const IMAGES_FILE = "images.yaml";

/**
 * Manifests as read: those that can be promoted, each without the parts its problems leave out,
 * and every problem, remark and skipped part in `problems`.
 */
export interface LoadedManifests {
  manifests: Manifest[];
  problems: Problems;
}

/**
 * Reads and validates manifests from the file system. Throws ManifestErrors listing every
 * problem found when one of them concerns the whole run (see loadThinManifests and
 * loadPlainManifest); problems confined to a part of the manifests leave that part out and are
 * returned. Remarks are logged.
 */
export function loadManifests(input: ManifestInput, log: Logger): Promise<LoadedManifests> {
  if (input.manifest !== undefined) return loadPlainManifest(new FsTree(null), input.manifest, log);
  if (input.thinDir !== undefined) return loadThinManifests(new FsTree(input.thinDir), "", log);
  throw new TypeError("loadManifests needs a manifest file or a thin manifest directory");
}

/**
 * The edges of loaded manifests. Edges that want one destination tag with two digests make the
 * whole run ambiguous: then throws ManifestErrors listing them with every other problem found.
 */
export function edgesOf(loaded: LoadedManifests): EdgeSet {
  const set = computeEdges(loaded.manifests);
  if (set.overlaps.length > 0) {
    for (const e of overlapErrors(set.overlaps)) loaded.problems.addError(e);
    loaded.problems.throwIfAny();
  }
  return set;
}

/**
 * Reads one plain manifest file of a tree. A problem inside one image leaves out that image (or
 * digest); any other problem concerns the whole manifest, and so the whole run: then throws
 * ManifestErrors listing every problem.
 */
export async function loadPlainManifest(
  tree: FileTree,
  path: string,
  log: Logger,
): Promise<LoadedManifests> {
  const problems = new Problems();
  const label = tree.label(path);
  const outcome = await readOutcome(tree, path);
  const bytes = recordOutcome(outcome, problems);
  if (outcome === null) {
    problems.add(filePos(label), "", "no such file (expected a promoter manifest)");
  }
  const manifest = bytes ? parsePlainManifest(bytes, label, problems) : null;
  logRemarks(problems, log);
  if (!manifest) problems.throwIfAny();
  log.debug(`read manifest ${label}`);
  return { manifests: [manifest!], problems };
}

/** How many sub-manifests are read at once (trees backed by subprocesses gain from it). */
const READ_BATCH = 16;

/**
 * Reads a thin manifest directory `dir` of a tree: each `manifests/<x>/promoter-manifest.yaml`
 * with its `images/<x>/images.yaml`, in name order, at most `maxTotalBytes` in all.
 *
 * A problem in the files of one sub-manifest leaves out that sub-manifest (or only the image or
 * digest it concerns). Problems of the directory itself concern the whole run: no images/ or
 * manifests/ directory, an entry that cannot be read or named safely, a promoter-manifest.yaml
 * anywhere but at manifests/<x>/, no manifests at all, more than `maxTotalBytes`; then throws
 * ManifestErrors listing every problem found.
 */
export async function loadThinManifests(
  tree: FileTree,
  dir: string,
  log: Logger,
  maxTotalBytes: number = MAX_TOTAL_MANIFEST_BYTES,
): Promise<LoadedManifests> {
  const problems = new Problems();
  // Problems of the directory itself; those of sub-manifests are counted apart.
  let confined = 0;
  const manifestsDir = joinTreePath(dir, "manifests");
  const imagesDir = joinTreePath(dir, "images");
  const top = await listTreeDir(tree, dir, problems);
  if (top === null) {
    problems.add(
      filePos(tree.label(dir)),
      "",
      "does not exist or is not a directory (expected a thin manifest directory holding " +
        "images/ and manifests/)",
    );
  }
  problems.throwIfAny();
  const manifestEntries = await listTreeDir(tree, manifestsDir, problems);
  const imageEntries = await listTreeDir(tree, imagesDir, problems);
  for (const [entries, path] of [[manifestEntries, manifestsDir], [imageEntries, imagesDir]]) {
    if (entries === null) {
      problems.add(
        filePos(tree.label(path as string)),
        "",
        "is not a directory; a thin manifest directory holds both images/ and manifests/ " +
          "directories",
      );
    }
  }
  if (!Array.isArray(manifestEntries) || !Array.isArray(imageEntries)) {
    problems.throwIfAny();
    return { manifests: [], problems };
  }
  const names = subManifestNames(tree, manifestsDir, manifestEntries, problems, log);
  await findMisplacedManifests(tree, manifestsDir, manifestEntries, problems);
  const manifests: Manifest[] = [];
  let found = 0;
  let totalBytes = 0;
  // Read a batch of pairs at once, then record the outcomes in name order, so that messages
  // come out in the same order on every run and only one batch of files is held in memory.
  for (let i = 0; i < names.length && totalBytes <= maxTotalBytes; i += READ_BATCH) {
    const reads = await Promise.all(
      names.slice(i, i + READ_BATCH).map(async (name) => {
        const regPath = joinTreePath(manifestsDir, name, PROMOTER_MANIFEST_FILE);
        const imgPath = joinTreePath(imagesDir, name, IMAGES_FILE);
        const reg = await readOutcome(tree, regPath);
        const img = reg === null ? null : await readOutcome(tree, imgPath);
        return { name, regPath, imgPath, reg, img };
      }),
    );
    for (const { name, regPath, imgPath, reg, img } of reads) {
      if (reg === null) {
        log.warn(
          `${
            tree.label(joinTreePath(manifestsDir, name))
          } has no ${PROMOTER_MANIFEST_FILE}; skipped`,
        );
        continue;
      }
      found++;
      const mark = problems.mark();
      const skips = problems.skipped.length;
      const regBytes = recordOutcome(reg, problems);
      const imgBytes = recordOutcome(img, problems);
      if (img === null) {
        problems.add(
          filePos(tree.label(imgPath)),
          "",
          `no such file; ${tree.label(regPath)} needs its images in this file`,
        );
      }
      let m: Manifest | null = null;
      if (regBytes && imgBytes) {
        totalBytes += regBytes.length + imgBytes.length;
        if (totalBytes > maxTotalBytes) {
          problems.add(
            filePos(tree.label(dir)),
            "",
            `the manifests hold more than ${maxTotalBytes} bytes in all, the most one run ` +
              `reads; stopped at ${tree.label(regPath)}`,
          );
          break;
        }
        m = parseThinManifest(
          regBytes,
          tree.label(regPath),
          imgBytes,
          tree.label(imgPath),
          problems,
        );
      }
      confined += problems.count - mark;
      if (m) {
        manifests.push(m);
      } else {
        const part = { kind: "sub-manifest", name, pos: filePos(tree.label(regPath)) } as const;
        problems.skip({ ...part, problems: problems.since(mark) }, skips);
      }
    }
  }
  warnAboutOrphanImages(tree, imagesDir, imageEntries, new Set(names), log);
  if (found === 0 && problems.count === 0) {
    problems.add(filePos(tree.label(dir)), "", `no manifests found in dir: ${tree.label(dir)}`);
  }
  logRemarks(problems, log);
  if (problems.count > confined) problems.throwIfAny();
  log.debug(`read ${manifests.length} manifests from ${tree.label(dir)}`);
  return { manifests, problems };
}

/** How deep below manifests/ the search for misplaced promoter-manifest.yaml files goes. */
const MAX_SEARCH_DEPTH = 16;

/** How many directories below manifests/ the search lists at most. */
const MAX_SEARCH_DIRS = 10_000;

/**
 * Reports every promoter-manifest.yaml below manifests/ that is not at manifests/<x>/ (directly
 * in manifests/, or deeper): the original promoter refused such a tree, and skipping the file
 * would silently promote nothing of what it lists.
 */
async function findMisplacedManifests(
  tree: FileTree,
  manifestsDir: string,
  top: TreeEntry[],
  problems: Problems,
): Promise<void> {
  const misplaced: string[] = [];
  if (top.some((e) => e.name === PROMOTER_MANIFEST_FILE)) {
    misplaced.push(joinTreePath(manifestsDir, PROMOTER_MANIFEST_FILE));
  }
  // Directories below manifests/<x>/, breadth first. A manifests/<x> that cannot be listed is
  // reported when its files are read (a problem of that sub-manifest alone).
  let level = top.filter((e) => e.kind === "dir" && isPlainName(e.name)).map((e) =>
    joinTreePath(manifestsDir, e.name)
  );
  let listed = 0;
  for (let depth = 1; level.length > 0; depth++) {
    const next: string[] = [];
    for (const path of level) {
      if (++listed > MAX_SEARCH_DIRS || depth > MAX_SEARCH_DEPTH) {
        problems.add(
          filePos(tree.label(manifestsDir)),
          "",
          `holds more than ${MAX_SEARCH_DIRS} directories or is nested more than ` +
            `${MAX_SEARCH_DEPTH} levels deep; a thin manifest directory needs one level`,
        );
        return;
      }
      const entries = depth === 1
        ? await tree.list(path).catch((e) => e instanceof TreeError ? null : Promise.reject(e))
        : await listTreeDir(tree, path, problems);
      if (!Array.isArray(entries)) continue;
      for (const e of entries) {
        const child = joinTreePath(path, e.name);
        if (e.kind === "dir") next.push(child);
        else if (e.name === PROMOTER_MANIFEST_FILE && depth > 1) misplaced.push(child);
      }
    }
    level = next;
  }
  for (const path of misplaced.sort(compareText)) {
    problems.add(
      filePos(tree.label(path)),
      "",
      "unexpected manifest path: a thin manifest directory holds each manifest at " +
        `manifests/<name>/${PROMOTER_MANIFEST_FILE}; move it there (with its images at ` +
        `images/<name>/${IMAGES_FILE}) or remove it`,
    );
  }
}

/** Logs the remarks of reading manifests: warnings as warnings, notes at debug level. */
function logRemarks(problems: Problems, log: Logger): void {
  for (const r of problems.remarks) {
    if (r.level === "warn") log.warn(r.text);
    else log.debug(r.text);
  }
  if (problems.remarksLeftOut > 0) {
    log.warn(`... and ${problems.remarksLeftOut} more remarks about the manifests not shown`);
  }
}

/** The sub-manifest directory names under manifests/, sorted; other entries are ignored. */
function subManifestNames(
  tree: FileTree,
  manifestsDir: string,
  entries: TreeEntry[],
  problems: Problems,
  log: Logger,
): string[] {
  const names: string[] = [];
  for (const e of entries) {
    if (!isPlainName(e.name)) {
      problems.add(
        filePos(tree.label(manifestsDir)),
        "",
        `refused the sub-manifest name ${quote(e.name)}: it must be a plain directory name ` +
          "(no path separators, no . or .., no control characters)",
      );
      continue;
    }
    const label = tree.label(joinTreePath(manifestsDir, e.name));
    if (e.kind !== "dir") {
      log.debug(`${label} is not a directory; ignored`);
      continue;
    }
    names.push(e.name);
  }
  return names.sort(compareText);
}

/** Warns about images/<x> directories that no manifests/<x> directory pairs with. */
function warnAboutOrphanImages(
  tree: FileTree,
  imagesDir: string,
  entries: TreeEntry[],
  names: Set<string>,
  log: Logger,
): void {
  for (const e of entries) {
    if (e.kind === "dir" && !names.has(e.name) && isPlainName(e.name)) {
      log.warn(
        `${
          tree.label(joinTreePath(imagesDir, e.name))
        } has no manifests/ directory of the same name; ignored`,
      );
    }
  }
}

/** Whether a directory name can be used as one path component safely. */
function isPlainName(name: string): boolean {
  if (name === "" || name === "." || name === ".." || /[/\\]/.test(name)) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** What reading a file gave: its bytes, null when it does not exist, or the tree's refusal. */
type ReadOutcome = Uint8Array | null | TreeError;

/** Reads a file of the tree, catching the tree's refusal. */
async function readOutcome(tree: FileTree, path: string): Promise<ReadOutcome> {
  try {
    return await tree.readFile(path, MAX_MANIFEST_BYTES);
  } catch (e) {
    if (e instanceof TreeError) return e;
    throw e;
  }
}

/** Records a refusal as a problem; returns the bytes when there are some. */
function recordOutcome(outcome: ReadOutcome, problems: Problems): Uint8Array | null {
  if (outcome instanceof TreeError) {
    problems.add(filePos(outcome.path), "", outcome.reason);
    return null;
  }
  return outcome;
}

/**
 * Lists a directory of the tree: its entries, null when it is not a directory, or "refused"
 * when the tree refused it (the problem is recorded).
 */
async function listTreeDir(
  tree: FileTree,
  path: string,
  problems: Problems,
): Promise<TreeEntry[] | null | "refused"> {
  try {
    return await tree.list(path);
  } catch (e) {
    if (!(e instanceof TreeError)) throw e;
    problems.add(filePos(e.path), "", e.reason);
    return "refused";
  }
}
