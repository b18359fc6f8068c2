/** Finds the layouts below an `ocidir://` root: every directory holding an `oci-layout` file. */
import { join } from "node:path";
import { RegistryError } from "../errors.ts";
import { fsError, lstatOrNull } from "./fs_util.ts";
import { type LayoutRoot, repositoryProblem } from "./layout_root.ts";

/** Deeper than this, a directory tree is taken for a symlink loop or a mistake. */
const MAX_DEPTH = 64;

/**
 * The repositories (layout directories, named by their path below the root) equal to or
 * below `prefix`, sorted. Hidden entries and names that are not repository names are skipped;
 * a layout's `blobs` directory is not searched. Symlinks leading out of the root are refused.
 */
export async function walkLayouts(root: LayoutRoot, prefix: string): Promise<string[]> {
  const real = await root.real(false);
  if (real === null) {
    throw new RegistryError(
      `Cannot list repositories of ${root.display}: ${root.abs} does not exist`,
    );
  }
  const found: string[] = [];
  const start = prefix === "" ? root.abs : root.layoutDir(prefix);
  if (prefix !== "" && (await lstatOrNull(start)) === null) return [];
  await visit(root, start, prefix, 0, found, new Set());
  return found.sort();
}

/** Visits one directory: records it when it is a layout, then visits its subdirectories. */
async function visit(
  root: LayoutRoot,
  dir: string,
  name: string,
  depth: number,
  found: string[],
  ancestors: Set<string>,
): Promise<void> {
  const real = await root.assertInside(dir);
  if (ancestors.has(real)) return; // a symlink back up the tree: already being visited

  if (depth > MAX_DEPTH) {
    throw new RegistryError(
      `Cannot list repositories of ${root.display}: ${dir} is nested too deep`,
    );
  }
  const isLayout = name !== "" && (await lstatOrNull(join(dir, "oci-layout"))) !== null;
  if (isLayout) found.push(name);
  else if (name !== "" && (await hasLayoutParts(dir))) {
    throw new RegistryError(
      `${dir} (repository ${name} of ${root.display}) is not an OCI image layout: ` +
        "it has no oci-layout file",
    );
  }
  const subdirs: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(".") || entry.isFile) continue;
      if (isLayout && entry.name === "blobs") continue;
      const child = name === "" ? entry.name : `${name}/${entry.name}`;
      if (repositoryProblem(child) !== null) continue;
      if (entry.isSymlink) {
        const target = join(dir, entry.name);
        await root.assertInside(target);
        const info = await Deno.stat(target).catch(() => null);
        if (info === null || !info.isDirectory) continue;
      }
      subdirs.push(entry.name);
    }
  } catch (e) {
    throw fsError("list the directory", dir, e);
  }
  ancestors.add(real);
  for (const sub of subdirs.sort()) {
    const child = name === "" ? sub : `${name}/${sub}`;
    await visit(root, join(dir, sub), child, depth + 1, found, ancestors);
  }
  ancestors.delete(real);
}

/** Whether a directory without `oci-layout` holds files only a layout has. */
async function hasLayoutParts(dir: string): Promise<boolean> {
  return (await lstatOrNull(join(dir, "index.json"))) !== null ||
    (await lstatOrNull(join(dir, "blobs"))) !== null;
}
