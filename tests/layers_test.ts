/**
 * The layers of src/, checked on the module graph `deno info` reports: imports run downward
 * only (cli -> promote | snapshot | checks -> trust -> attach | sigstore -> manifest -> registry
 * -> oci -> the shared files at the top of src/), never sideways between two folders of one
 * layer, and a module whose name starts with `_` is imported only from its own folder.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** Each top folder of src/ and its layer: a module may import only from lower layers. */
const LAYERS: Record<string, number> = {
  cli: 7,
  promote: 6,
  snapshot: 6,
  checks: 6,
  trust: 5,
  attach: 4,
  sigstore: 4,
  manifest: 3,
  registry: 2,
  oci: 1,
  "": 0, // log.ts, describe_error.ts, safe_text.ts, compare_text.ts, version.ts
};

/** One import between two modules of the repository, as paths from its root. */
interface Import {
  from: string;
  to: string;
}

/** The imports (code and type-only) reachable from main.ts and every src/**\/mod.ts. */
async function imports(): Promise<Import[]> {
  const roots = ["main.ts", ...await modFiles(new URL("src/", ROOT))];
  const dir = await Deno.makeTempDir({ prefix: "cip-layers-" });
  try {
    const entry = `${dir}/roots.ts`;
    await Deno.writeTextFile(entry, roots.map((r) => `import "${new URL(r, ROOT)}";\n`).join(""));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
      }[];
    };
    const local = (s: string | undefined) =>
      s?.startsWith(ROOT.href) ? s.slice(ROOT.href.length) : null;
    const found: Import[] = [];
    for (const m of graph.modules) {
      const from = local(m.specifier);
      if (from === null) continue;
      for (const d of m.dependencies ?? []) {
        for (const to of [local(d.code?.specifier), local(d.type?.specifier)]) {
          if (to !== null) found.push({ from, to });
        }
      }
    }
    return found;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every mod.ts below `dir`, as a path from the repository root. */
async function modFiles(dir: URL): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await modFiles(new URL(`${e.name}/`, dir)));
    else if (e.name === "mod.ts") out.push(new URL(e.name, dir).href.slice(ROOT.href.length));
  }
  return out;
}

/** The top folder of src/ a path is in ("" for a file directly in src/), or null outside src/. */
function topFolder(path: string): string | null {
  if (!path.startsWith("src/")) return null;
  const parts = path.split("/");
  return parts.length > 2 ? parts[1]! : "";
}

const graph = await imports();

Deno.test("the module graph holds every layer of src/", () => {
  const folders = new Set(graph.flatMap((i) => [topFolder(i.from), topFolder(i.to)]));
  for (const folder of Object.keys(LAYERS)) assert.ok(folders.has(folder), `src/${folder}`);
});

Deno.test("imports in src/ run downward: never up a layer, never sideways between folders", () => {
  const wrong: string[] = [];
  for (const { from, to } of graph) {
    const a = topFolder(from);
    const b = topFolder(to);
    if (a === null || b === null || a === b) continue;
    const [la, lb] = [LAYERS[a], LAYERS[b]];
    assert.ok(la !== undefined && lb !== undefined, `src/${a} or src/${b} has no layer`);
    if (lb >= la) wrong.push(`${from} -> ${to}`);
  }
  assert.deepEqual(wrong, []);
});

Deno.test("a module named _*.ts is imported only from its own folder", () => {
  const dirOf = (p: string) => p.slice(0, p.lastIndexOf("/"));
  const wrong = graph.filter(({ from, to }) =>
    to.slice(to.lastIndexOf("/") + 1).startsWith("_") && dirOf(from) !== dirOf(to)
  );
  assert.deepEqual(wrong, []);
});
