/**
 * Builds `cip` with `deno compile`: `deno task compile` for this machine into dist/cip,
 * `deno task compile:all` for every release target into dist/cip-<target>[.exe].
 *
 * Before compiling it writes the build stamp (the commit, from $CIP_COMMIT or `git rev-parse
 * HEAD`) that src/version.ts reads, embeds it with --include, and deletes it afterwards.
 * `--release-tag=vX.Y.Z` refuses to build when the tag does not match deno.json's version.
 * $CIP_DENO names the deno that compiles (default: the one running this script).
 */
import { parseArgs } from "node:util";
import config from "../../deno.json" with { type: "json" };
import { PERMISSION_FLAGS } from "./permission_flags.ts";

/** Every target a release ships a binary for (`deno compile --target`). */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One release target. */
export type Target = typeof TARGETS[number];

/** The build stamp, relative to the project root (src/version.ts reads the same file). */
export const STAMP_PATH = "dist/build_info.txt";

/** The file name of the binary for a target; undefined means this machine (`cip`). */
export function binaryName(target?: Target): string {
  if (target === undefined) return "cip";
  return target.includes("windows") ? `cip-${target}.exe` : `cip-${target}`;
}

/** The arguments of one `deno compile` run, relative to the project root. */
export function compileArgs(target?: Target): string[] {
  return [
    "compile",
    ...PERMISSION_FLAGS,
    "--include",
    STAMP_PATH,
    "--output",
    `dist/${binaryName(target)}`,
    ...(target === undefined ? [] : ["--target", target]),
    "main.ts",
  ];
}

/** The text of the build stamp for a commit. */
export function stampText(commit: string, modified: boolean): string {
  return `${JSON.stringify({ commit, modified })}\n`;
}

/** Why a release tag does not fit the version, or undefined when it is `v<version>`. */
export function releaseTagProblem(tag: string, version: string): string | undefined {
  if (tag === `v${version}`) return undefined;
  return `release tag ${tag} does not match deno.json's version ${version} (expected v${version})`;
}

/** Runs a program in the project root and returns its trimmed stdout; throws on failure. */
async function output(program: string, args: string[], cwd: URL): Promise<string> {
  const out = await new Deno.Command(program, { args, cwd, stderr: "inherit" }).output();
  if (!out.success) throw new Error(`${program} ${args.join(" ")} exited with ${out.code}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** The commit to stamp: $CIP_COMMIT when set (the release workflow sets it), else git's HEAD. */
async function currentCommit(root: URL): Promise<{ commit: string; modified: boolean }> {
  const given = Deno.env.get("CIP_COMMIT");
  if (given) return { commit: given, modified: false };
  const commit = await output("git", ["rev-parse", "HEAD"], root);
  const status = await output("git", ["status", "--porcelain", "--untracked-files=no"], root);
  return { commit, modified: status !== "" };
}

/** Builds the binaries; returns the exit code. */
async function build(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { all: { type: "boolean" }, "release-tag": { type: "string" } },
    strict: true,
  });
  const tag = values["release-tag"];
  const problem = tag === undefined ? undefined : releaseTagProblem(tag, config.version);
  if (problem !== undefined) {
    console.error(`compile: ${problem}`);
    return 1;
  }
  const root = new URL("../../", import.meta.url);
  const { commit, modified } = await currentCommit(root);
  const stamp = new URL(STAMP_PATH, root);
  await Deno.mkdir(new URL("dist/", root), { recursive: true });
  await Deno.writeTextFile(stamp, stampText(commit, modified));
  try {
    const targets: (Target | undefined)[] = values.all ? [...TARGETS] : [undefined];
    for (const target of targets) {
      console.error(`compile: dist/${binaryName(target)} (commit ${commit})`);
      const deno = Deno.env.get("CIP_DENO") || Deno.execPath();
      const out = await new Deno.Command(deno, { args: compileArgs(target), cwd: root }).spawn()
        .status;
      if (!out.success) {
        console.error(`compile: deno compile for ${target ?? "this machine"} failed`);
        return 1;
      }
    }
  } finally {
    await Deno.remove(stamp);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await build(Deno.args));
