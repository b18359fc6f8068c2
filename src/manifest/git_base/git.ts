/** The one place `git` runs: repository paths, revisions and file contents at a revision. */

/** Something git could not do: not installed, not a repository, an unknown revision. */
export class GitError extends Error {
  /** `message` says what could not be done and why. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "GitError";
  }
}

/** A file in a git tree: its path from the repository root, mode and size. */
export interface TreeFile {
  path: string;
  /** Git's file mode: `100644` or `100755` for regular files, `120000` for symbolic links. */
  mode: string;
  /** Size in bytes. */
  size: number;
}

const decoder = new TextDecoder();

/** Runs git in one directory of a working tree. */
export class Git {
  readonly #cwd: string;
  readonly #binary: string;

  /** Git runs in `cwd`; `binary` names the git executable (tests pass a missing one). */
  constructor(cwd: string, binary = "git") {
    this.#cwd = cwd;
    this.#binary = binary;
  }

  /** The absolute path of the working tree's top directory. */
  async toplevel(): Promise<string> {
    return (await this.#text(["rev-parse", "--show-toplevel"], "find the repository root")).trim();
  }

  /** The path of `cwd` below the top directory, "" or ending in `/` (`rev-parse --show-prefix`). */
  async prefix(): Promise<string> {
    return (await this.#text(["rev-parse", "--show-prefix"], "find the path in the repository"))
      .trim();
  }

  /** The commit id a revision names; throws GitError for a revision git does not know. */
  async resolve(rev: string): Promise<string> {
    const out = await this.#run([
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${rev}^{commit}`,
    ]);
    const id = decoder.decode(out.stdout).trim();
    if (out.code !== 0 || id === "") {
      throw new GitError(`unknown git revision "${rev}" in ${this.#cwd}`);
    }
    return id;
  }

  /** The last commit on HEAD made before `date` (git's --before syntax), e.g. for `1 week ago`. */
  async lastCommitBefore(date: string): Promise<string> {
    const id = (await this.#text(
      ["rev-list", "-1", `--before=${date}`, "HEAD", "--"],
      `find the last commit before "${date}"`,
    )).trim();
    if (id === "") throw new GitError(`no commit on HEAD was made before "${date}"`);
    return id;
  }

  /** The files and links below `dir` (a path from the root, "" for all) at `commit`. */
  async listFiles(commit: string, dir: string): Promise<TreeFile[]> {
    const args = ["ls-tree", "-r", "-l", "-z", "--full-tree", commit];
    if (dir !== "") args.push("--", dir);
    const text = await this.#text(args, `list the files of ${dir || "/"} at ${commit}`);
    const files: TreeFile[] = [];
    for (const entry of text.split("\0")) {
      const m = /^(\d+) (\w+) [0-9a-f]+ +(\d+)\t(.*)$/s.exec(entry);
      if (m && m[2] === "blob") files.push({ mode: m[1]!, size: Number(m[3]), path: m[4]! });
    }
    return files;
  }

  /**
   * The bytes of many files (paths from the root) at `commit`, read by one `git cat-file
   * --batch`; throws GitError naming the first file git does not have.
   */
  async readFiles(commit: string, paths: readonly string[]): Promise<Map<string, Uint8Array>> {
    const files = new Map<string, Uint8Array>();
    if (paths.length === 0) return files;
    if (paths.some((p) => p.includes("\n"))) {
      throw new GitError("cannot read a file whose name holds a line break");
    }
    const input = new TextEncoder().encode(paths.map((p) => `${commit}:${p}\n`).join(""));
    const out = await this.#run(["cat-file", "--batch"], input);
    if (out.code !== 0) {
      throw new GitError(`cannot read files at ${commit}: ${decoder.decode(out.stderr).trim()}`);
    }
    const bytes = out.stdout;
    let at = 0;
    for (const path of paths) {
      const eol = bytes.indexOf(10, at);
      const header = decoder.decode(bytes.subarray(at, eol < 0 ? bytes.length : eol));
      const m = /^[0-9a-f]+ blob (\d+)$/.exec(header);
      if (eol < 0 || !m) throw new GitError(`cannot read ${path} at ${commit}: ${header}`);
      const size = Number(m[1]);
      files.set(path, bytes.slice(eol + 1, eol + 1 + size));
      at = eol + 1 + size + 1;
    }
    return files;
  }

  async #text(args: string[], what: string): Promise<string> {
    const out = await this.#run(args);
    if (out.code !== 0) {
      const why = decoder.decode(out.stderr).trim().split("\n")[0] || `git exited ${out.code}`;
      throw new GitError(`cannot ${what} in ${this.#cwd}: ${why}`);
    }
    return decoder.decode(out.stdout);
  }

  async #run(args: string[], input?: Uint8Array): Promise<Deno.CommandOutput> {
    const cmd = new Deno.Command(this.#binary, {
      args,
      cwd: this.#cwd,
      env: { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
      stdin: input ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    });
    try {
      if (!input) return await cmd.output();
      const child = cmd.spawn();
      const writer = child.stdin.getWriter();
      const [, output] = await Promise.all([
        writer.write(input).then(() => writer.close()),
        child.output(),
      ]);
      return output;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        if (!isDirectory(this.#cwd)) {
          throw new GitError(`cannot run git in ${this.#cwd}: no such directory`, { cause: e });
        }
        throw new GitError(
          `cannot run git ("${this.#binary}"): it is not installed or not on PATH`,
          {
            cause: e,
          },
        );
      }
      throw new GitError(`cannot run git in ${this.#cwd}`, { cause: e });
    }
  }
}

/** Whether a path is an existing directory. */
function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
