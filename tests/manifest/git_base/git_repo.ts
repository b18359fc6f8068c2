/** Temporary git repositories for tests: write files, commit, read commit ids. */
import { dirname, join } from "node:path";

/** A temporary git repository; `remove()` deletes it. */
export interface TempRepo {
  dir: string;
  /** Writes (string) or deletes (null) files relative to the root, commits, returns the id. */
  commit(files: Record<string, string | null>, message: string, date?: string): Promise<string>;
  /** Runs git in the repository and returns its trimmed stdout; throws when git fails. */
  git(...args: string[]): Promise<string>;
  remove(): Promise<void>;
}

/** Creates an empty repository with a fixed identity. */
export async function tempRepo(): Promise<TempRepo> {
  const dir = await Deno.makeTempDir({ prefix: "cip-git-test-" });
  const run = async (args: string[], extraEnv: Record<string, string> = {}): Promise<string> => {
    const out = await new Deno.Command("git", {
      args,
      cwd: dir,
      env: {
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.com",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.com",
        ...extraEnv,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    if (out.code !== 0) throw new Error(`git ${args.join(" ")}: ${dec.decode(out.stderr)}`);
    return dec.decode(out.stdout).trim();
  };
  const git = (...args: string[]) => run(args);
  await git("init", "-q", "-b", "main");
  return {
    dir,
    git,
    async commit(files, message, date) {
      for (const [path, text] of Object.entries(files)) {
        const full = join(dir, path);
        if (text === null) {
          await Deno.remove(full);
        } else {
          await Deno.mkdir(dirname(full), { recursive: true });
          await Deno.writeTextFile(full, text);
        }
      }
      await git("add", "-A");
      const dateEnv: Record<string, string> = date
        ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }
        : {};
      await run(["commit", "-q", "--allow-empty", "-m", message], dateEnv);
      return await git("rev-parse", "HEAD");
    },
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}
