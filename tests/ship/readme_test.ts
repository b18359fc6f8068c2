import assert from "node:assert/strict";
import { parse } from "yaml";
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

Deno.test("README's Install section lists every release binary and SHA256SUMS", () => {
  const text = section("Install");
  for (const target of TARGETS) assert.ok(text.includes(`\`${binaryName(target)}\``), target);
  assert.match(text, /sha256sum --check/);
});

Deno.test("README's GitHub Action section documents every input of action.yml", async () => {
  const text = section("GitHub Action");
  const action = parse(await Deno.readTextFile(new URL("action.yml", ROOT)));
  for (const input of Object.keys(action.inputs)) assert.ok(text.includes(`\`${input}\``), input);
});

Deno.test("README's GitHub Action examples are workflows with a dry run and a confirmed run", () => {
  const text = section("GitHub Action");
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!));
  assert.equal(blocks.length, 2);
  const [pre, post] = blocks;
  assert.ok("pull_request" in pre.on);
  assert.deepEqual(post.on.push.branches, ["main"]);
  const withOf = (wf: { jobs: Record<string, { steps: { with?: Record<string, unknown> }[] }> }) =>
    Object.values(wf.jobs).flatMap((j) => j.steps).map((s) => s.with ?? {});
  assert.ok(withOf(pre).some((w) => "diff-base" in w && !("confirm" in w)));
  assert.ok(withOf(post).some((w) => w.confirm === true && "key-files" in w));
});

Deno.test("README's source section names the permission set the binary is built with", () => {
  const text = section("Run from source with Deno");
  assert.match(text, /deno run -A main\.ts/);
  assert.match(text, /deno run -P=cip --no-prompt main\.ts/);
});

Deno.test("README opens with the demo and test commands; .ci/run runs the test command as written", async () => {
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const commands = block.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter((l) => l);
  assert.equal(commands.length, 2);
  const [demo, test] = commands as [string, string];
  assert.match(demo, /task demo$/);
  assert.match(test, /task ok$/);
  const ciRun = await Deno.readTextFile(new URL(".ci/run", ROOT));
  assert.ok(ciRun.split("\n").some((l) => l.startsWith(test)), `.ci/run does not run "${test}"`);
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;
  assert.ok("demo" in tasks && "ok" in tasks);
});
