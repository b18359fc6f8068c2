/** The README: short, opening with the two commands, its Install section true to the release. */
import assert from "node:assert/strict";
import { binaryName, TARGETS } from "../../.github/build/compile.ts";

const ROOT = new URL("../../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", ROOT));

/** The text of one `## ` section of the README. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has no section "${title}"`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

Deno.test("README opens with the demo and test commands; .ci/run runs the test command as written", async () => {
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const commands = block.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter((l) => l);
  assert.deepEqual(commands, ["npx --yes deno@2.9.6 task demo", "npx --yes deno@2.9.6 task ok"]);
  const [, test] = commands as [string, string];
  const ciRun = await Deno.readTextFile(new URL(".ci/run", ROOT));
  assert.ok(ciRun.split("\n").some((l) => l.startsWith(test)), `.ci/run does not run "${test}"`);
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;
  assert.ok("demo" in tasks && "ok" in tasks);
});

Deno.test("README stays under 250 lines and keeps install, promotion and the links to docs/", async () => {
  assert.ok(readme.split("\n").length < 250, `${readme.split("\n").length} lines`);
  for (const title of ["Install", "Promoting images", "Security", "Documentation"]) section(title);
  const links = section("Documentation");
  for await (const e of Deno.readDir(new URL("docs/", ROOT))) {
    if (e.name.endsWith(".md")) assert.ok(links.includes(`(docs/${e.name})`), e.name);
  }
});

Deno.test("README's Install section lists every release binary and SHA256SUMS", () => {
  const text = section("Install");
  for (const target of TARGETS) assert.ok(text.includes(`\`${binaryName(target)}\``), target);
  assert.match(text, /sha256sum --check/);
});
