/** The directory behind `ocidir://PATH`: repository names to layout paths, and containment. */
import { dirname, join, resolve, sep } from "node:path";
import { RegistryError } from "../errors.ts";
import { isRepository } from "../reference.ts";
import { fsError, lstatOrNull } from "./fs_util.ts";

/** Names inside a layout that a nested repository's path component cannot take. */
const RESERVED = new Set(["blobs", "index.json", "oci-layout"]);

/** Whether a repository name fits an OCI layout directory; a description of why not otherwise. */
export function repositoryProblem(repo: string): string | null {
  if (!isRepository(repo)) {
    return "it is not a valid repository name (lowercase letters, digits, separators . _ __ - " +
      "between them, / between components; no . or .. components)";
  }
  const reserved = repo.split("/").slice(1).find((c) => RESERVED.has(c));
  if (reserved !== undefined) {
    return `its component "${reserved}" would collide with a layout's own "${reserved}"`;
  }
  return null;
}

/** The root directory of an `ocidir://` registry, checked lazily. */
export class LayoutRoot {
  /** The root as an absolute path. */
  readonly abs: string;
  /** The registry name for messages. */
  readonly display: string;
  #real: string | undefined;

  /** `root` is relative to the current directory or absolute. */
  constructor(root: string, display: string) {
    this.abs = resolve(root);
    this.display = display;
  }

  /** The layout directory of `repo`; throws RegistryError for names a directory cannot hold. */
  layoutDir(repo: string): string {
    const problem = repositoryProblem(repo);
    if (problem !== null) {
      throw new RegistryError(
        `Cannot use repository ${JSON.stringify(repo)} in ${this.display}: ${problem}`,
        { codes: ["NAME_INVALID"] },
      );
    }
    return join(this.abs, ...repo.split("/"));
  }

  /**
   * The root's real path, or null when it does not exist (and `create` is false). Creates it
   * when asked. Refuses a root that is a file or is itself a layout.
   */
  async real(create: boolean): Promise<string | null> {
    if (this.#real !== undefined) return this.#real;
    let info = await lstatOrNull(this.abs);
    if (info === null) {
      if (!create) return null;
      try {
        await Deno.mkdir(this.abs, { recursive: true });
      } catch (e) {
        throw fsError("create the directory", this.abs, e);
      }
      info = await lstatOrNull(this.abs);
    }
    let real: string;
    try {
      real = await Deno.realPath(this.abs);
    } catch (e) {
      throw fsError("resolve", this.abs, e);
    }
    const target = await Deno.stat(real);
    if (!target.isDirectory) {
      throw new RegistryError(`${this.display}: ${this.abs} is not a directory`);
    }
    if (await lstatOrNull(join(real, "oci-layout")) !== null) {
      throw new RegistryError(
        `${this.display}: ${this.abs} is itself an OCI image layout; an ocidir:// registry is a ` +
          `directory holding one layout per image (use ocidir://${dirname(this.abs)} and the ` +
          "image name as the last path component)",
      );
    }
    this.#real = real;
    return real;
  }

  /** Throws RegistryError when the existing `path` resolves outside the root (a symlink). */
  async assertInside(path: string): Promise<string> {
    const root = await this.real(false);
    let real: string;
    try {
      real = await Deno.realPath(path);
    } catch (e) {
      throw fsError("resolve", path, e);
    }
    if (root === null || (real !== root && !real.startsWith(root + sep))) {
      throw new RegistryError(
        `Refusing to use ${path} in ${this.display}: it is a symbolic link (or lies below one) ` +
          `leading to ${real}, outside ${this.abs}`,
      );
    }
    return real;
  }

  /** Creates `dir` and its parents after checking that no existing part leads outside the root. */
  async mkdirInside(dir: string): Promise<void> {
    await this.real(true);
    let existing = dir;
    while ((await lstatOrNull(existing)) === null) existing = dirname(existing);
    await this.assertInside(existing);
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (e) {
      throw fsError("create the directory", dir, e);
    }
    await this.assertInside(dir);
  }
}
