/** An in-memory FileTree for loader tests: files by path, plus odd entries and refusals. */
import { type FileTree, type TreeEntry, TreeError } from "../../src/manifest/mod.ts";

/** Files by "/"-separated path; directories exist where files lie below them. */
export class MemoryTree implements FileTree {
  /** Paths read so far, in order. */
  readonly reads: string[] = [];

  /** `extra` adds listing entries by directory; `refuse` makes paths throw TreeError. */
  constructor(
    private readonly files: Record<string, string | Uint8Array>,
    private readonly extra: Record<string, TreeEntry[]> = {},
    private readonly refuse: Record<string, string> = {},
  ) {}

  /** Paths are labelled with a `mem:` prefix so tests see the label is used. */
  label(path: string): string {
    return `mem:${path}`;
  }

  /** The file's bytes, or null. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array | null> {
    this.reads.push(path);
    const refusal = this.refuse[path];
    if (refusal) return Promise.reject(new TreeError(this.label(path), refusal));
    const content = this.files[path];
    if (content === undefined) return Promise.resolve(null);
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    if (bytes.length > maxBytes) {
      return Promise.reject(new TreeError(this.label(path), "is too large"));
    }
    return Promise.resolve(bytes);
  }

  /** The children of a directory, or null when no file lies below it. */
  list(path: string): Promise<TreeEntry[] | null> {
    const refusal = this.refuse[path];
    if (refusal) return Promise.reject(new TreeError(this.label(path), refusal));
    const prefix = path === "" ? "" : `${path}/`;
    const children = new Map<string, TreeEntry>();
    for (const file of Object.keys(this.files)) {
      if (!file.startsWith(prefix)) continue;
      const rest = file.slice(prefix.length);
      const slash = rest.indexOf("/");
      const name = slash < 0 ? rest : rest.slice(0, slash);
      children.set(name, { name, kind: slash < 0 ? "file" : "dir" });
    }
    for (const e of this.extra[path] ?? []) children.set(e.name, e);
    if (children.size === 0 && !(path in this.extra)) return Promise.resolve(null);
    return Promise.resolve([...children.values()]);
  }
}
