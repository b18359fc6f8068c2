/** docs/ci.md: the action's inputs, and the workflows and Prow jobs it shows, as they must be. */
import assert from "node:assert/strict";
import { parse } from "yaml";

const ROOT = new URL("../../", import.meta.url);
const doc = await Deno.readTextFile(new URL("docs/ci.md", ROOT));

/** The text of one `## ` section of docs/ci.md. */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `docs/ci.md has no section "${title}"`);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The YAML blocks of a text, parsed. */
function yamlBlocks(text: string) {
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!));
}

Deno.test("docs/ci.md documents every input of action.yml", async () => {
  const text = section("GitHub Actions");
  const action = parse(await Deno.readTextFile(new URL("action.yml", ROOT)));
  for (const input of Object.keys(action.inputs)) assert.ok(text.includes(`\`${input}\``), input);
});

Deno.test("docs/ci.md shows one pre-submit workflow (a dry run) and one post-submit (--confirm)", () => {
  const blocks = yamlBlocks(section("GitHub Actions"));
  assert.equal(blocks.length, 2);
  const [pre, post] = blocks;
  assert.ok("pull_request" in pre.on);
  assert.deepEqual(post.on.push.branches, ["main"]);
  const withOf = (wf: { jobs: Record<string, { steps: { with?: Record<string, unknown> }[] }> }) =>
    Object.values(wf.jobs).flatMap((j) => j.steps).map((s) => s.with ?? {});
  assert.ok(withOf(pre).some((w) => "diff-base" in w && !("confirm" in w)));
  assert.ok(withOf(pre).some((w) => w["fetch-depth"] === 0), "the base must be in the clone");
  assert.ok(withOf(post).some((w) => w.confirm === true && "key-files" in w));
});

Deno.test("docs/ci.md's Prow jobs check before the merge and promote after it, scoped", () => {
  const [jobs] = yamlBlocks(section("Prow"));
  const argsOf = (kind: string) =>
    (Object.values(jobs[kind])[0] as { spec: { containers: { args: string[] }[] } }[])[0]!
      .spec.containers[0]!.args;
  assert.ok(argsOf("presubmits").includes("--use-prow-manifest-diff"));
  assert.ok(!argsOf("presubmits").includes("--confirm"));
  assert.ok(argsOf("postsubmits").includes("--use-prow-manifest-diff"));
  assert.ok(argsOf("postsubmits").includes("--confirm"));
});
