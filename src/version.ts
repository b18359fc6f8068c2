/** The program's version (from deno.json) and the commit a compiled binary was built from. */
import config from "../deno.json" with { type: "json" };

/** The version of this build of `cip`. */
export const VERSION: string = config.version;

/**
 * The build stamp `deno task compile` writes before compiling and embeds in the binary
 * (`--include`); it is deleted after the build, so a run from source finds none. It holds JSON
 * but is not named .json: deno compile would take a .json file for a module, not a data file.
 */
export const BUILD_INFO_URL: URL = new URL("../dist/build_info.txt", import.meta.url);

/** What the build stamp records. */
export interface BuildInfo {
  /** The full commit id the binary was built from. */
  commit: string;
  /** Whether the worktree had uncommitted changes at build time. */
  modified: boolean;
}

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Reads the build stamp; undefined when there is none, it is unreadable or malformed. */
export async function readBuildInfo(url: URL = BUILD_INFO_URL): Promise<BuildInfo | undefined> {
  // Never ask for a permission: a run from source without --allow-read just has no stamp.
  if (Deno.permissions.querySync({ name: "read", path: url }).state !== "granted") {
    return undefined;
  }
  let text: string;
  try {
    text = await Deno.readTextFile(url);
  } catch {
    return undefined;
  }
  return parseBuildInfo(text);
}

/** Parses the text of a build stamp; undefined unless it holds a valid commit id. */
export function parseBuildInfo(text: string): BuildInfo | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const { commit, modified } = data as Record<string, unknown>;
  if (typeof commit !== "string" || !COMMIT.test(commit)) return undefined;
  return { commit, modified: modified === true };
}

/** The line `--version` prints: `cip 0.1.0 (commit 0123456789ab)` or `(commit unknown)`. */
export function versionLine(version: string, build: BuildInfo | undefined): string {
  if (build === undefined) return `cip ${version} (commit unknown)`;
  const modified = build.modified ? ", modified" : "";
  return `cip ${version} (commit ${build.commit.slice(0, 12)}${modified})`;
}
