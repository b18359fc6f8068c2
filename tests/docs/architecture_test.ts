/** docs/architecture.md describes the code as it is: what it names exists. */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const doc = await Deno.readTextFile(new URL("docs/architecture.md", ROOT));

/** Every path of the repository the document names in backquotes or in its layer diagram. */
function namedPaths(text: string): string[] {
  const paths = new Set<string>();
  const path =
    /(?:^|[\s`(,])((?:src|tests|demo|docs|testdata|\.github|\.ci)\/[\w./-]*|main\.ts|deno\.json)/gm;
  for (const m of text.matchAll(path)) paths.add(m[1]!.replace(/[.,]$/, ""));
  return [...paths].sort();
}

/** Whether a path exists from the repository root. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(new URL(path, ROOT));
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

Deno.test("every path docs/architecture.md names exists", async () => {
  const paths = namedPaths(doc);
  assert.ok(paths.length > 50, `only ${paths.length} paths found`);
  const missing = [];
  for (const p of paths) if (!(await exists(p))) missing.push(p);
  assert.deepEqual(missing, []);
});

Deno.test("every name docs/architecture.md places in a file is in that file", async () => {
  // "`decide` in `src/promote/plan.ts`" and "`promote` (`src/promote/pipeline.ts`)".
  const placed = /`([A-Za-z_][\w.]*)` (?:in |\()`([\w./-]+\.ts)`/g;
  const wrong: string[] = [];
  let count = 0;
  for (const [, name, file] of doc.matchAll(placed)) {
    count++;
    const text = await Deno.readTextFile(new URL(file!, ROOT));
    for (const part of name!.split(".")) {
      if (!new RegExp(`\\b${part}\\b`).test(text)) wrong.push(`${name} in ${file}`);
    }
  }
  assert.ok(count > 15, `only ${count} names placed in files`);
  assert.deepEqual(wrong, []);
});

Deno.test("the folders of src/ are all in docs/architecture.md's layers", async () => {
  for await (const e of Deno.readDir(new URL("src/", ROOT))) {
    if (e.isDirectory) assert.ok(doc.includes(`src/${e.name}/`), `src/${e.name}/`);
  }
});
