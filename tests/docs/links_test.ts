/** The README and docs/ link to files that exist, and to headings those files have. */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** The Markdown files whose links are checked. */
async function documents(): Promise<string[]> {
  const docs = ["README.md"];
  for await (const e of Deno.readDir(new URL("docs/", ROOT))) {
    if (e.name.endsWith(".md")) docs.push(`docs/${e.name}`);
  }
  return docs.sort();
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces as dashes. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replaceAll(" ", "-");
}

/** The anchors of a Markdown file's headings (outside code blocks). */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  let code = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) code = !code;
    const m = /^#{1,6} (.+)$/.exec(line);
    if (!code && m) out.add(anchor(m[1]!));
  }
  return out;
}

Deno.test("anchor() follows GitHub's rule for headings with code and punctuation", () => {
  assert.equal(anchor("Registries with a `service-account`"), "registries-with-a-service-account");
  assert.equal(anchor("Run from source with Deno"), "run-from-source-with-deno");
});

Deno.test("every relative link of the README and docs/ reaches a file, and a heading in it", async () => {
  const broken: string[] = [];
  let checked = 0;
  for (const doc of await documents()) {
    const text = await Deno.readTextFile(new URL(doc, ROOT));
    const base = new URL(doc, ROOT);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      checked++;
      const [path, hash] = target!.split("#") as [string, string | undefined];
      const file = path === "" ? base : new URL(path, base);
      let linked: string;
      try {
        linked = (await Deno.stat(file)).isFile ? await Deno.readTextFile(file) : "";
      } catch {
        broken.push(`${doc}: ${target} (no such file)`);
        continue;
      }
      if (hash !== undefined && !anchors(linked).has(hash)) {
        broken.push(`${doc}: ${target} (no such heading)`);
      }
    }
  }
  assert.ok(checked > 20, `only ${checked} links checked`);
  assert.deepEqual(broken, []);
});
