import assert from "node:assert/strict";
import { parseDocument } from "yaml";
import { FLAGS } from "../../src/cli/flags.ts";
import { pathExists } from "../fixtures/path_exists.ts";

const ROOT = new URL("../../", import.meta.url);
const WORKFLOWS = ["ci.yml", "release.yml"].map((f) => `.github/workflows/${f}`);
const FILES = [...WORKFLOWS, "action.yml"];

/** Parses a YAML file strictly (duplicate keys are errors); fails the test on any error. */
async function load(path: string): Promise<Record<string, unknown>> {
  const doc = parseDocument(await Deno.readTextFile(new URL(path, ROOT)), { uniqueKeys: true });
  assert.deepEqual(doc.errors.map((e) => e.message), [], `${path} is not valid YAML`);
  const data = doc.toJS();
  assert.equal(typeof data, "object", `${path} holds no mapping`);
  return data as Record<string, unknown>;
}

/** Every `run:` script of a workflow's jobs or of a composite action's steps. */
function runScripts(data: Record<string, unknown>): string[] {
  const steps: Record<string, unknown>[] = [];
  const jobs = (data.jobs ?? {}) as Record<string, { steps?: Record<string, unknown>[] }>;
  for (const job of Object.values(jobs)) steps.push(...(job.steps ?? []));
  const runs = data.runs as { steps?: Record<string, unknown>[] } | undefined;
  steps.push(...(runs?.steps ?? []));
  return steps.flatMap((s) => typeof s.run === "string" ? [s.run] : []);
}

const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));

for (const path of FILES) {
  Deno.test(`${path} is valid YAML without duplicate keys`, async () => {
    await load(path);
  });

  Deno.test(`${path} runs only deno tasks that exist in deno.json`, async () => {
    const scripts = runScripts(await load(path)).join("\n");
    const tasks = [...scripts.matchAll(/deno task ([\w:-]+)/g)].map((m) => m[1]!);
    for (const task of tasks) assert.ok(task in config.tasks, `${path}: no task "${task}"`);
  });

  Deno.test(`${path} names only scripts that exist in the repository`, async () => {
    const scripts = runScripts(await load(path)).join("\n");
    const files = [...scripts.matchAll(/(?:\$GITHUB_ACTION_PATH\/)?(\.(?:github|ci)\/[\w./-]+)/g)];
    assert.ok(files.length > 0, `${path} names no script`);
    for (const m of files) {
      assert.ok(await pathExists(new URL(m[1]!, ROOT)), `${path}: ${m[1]} does not exist`);
    }
  });
}

for (const path of WORKFLOWS) {
  Deno.test(`${path} jobs each have a runner and steps`, async () => {
    const data = await load(path);
    assert.ok(data.on !== undefined, `${path} has no trigger`);
    const jobs = data.jobs as Record<string, Record<string, unknown>>;
    assert.ok(Object.keys(jobs).length > 0);
    for (const [name, job] of Object.entries(jobs)) {
      assert.ok(job["runs-on"], `${path}: job ${name} has no runs-on`);
      assert.ok(Array.isArray(job.steps) && job.steps.length > 0, `${path}: job ${name} no steps`);
    }
  });

  Deno.test(`${path} installs the same Deno version as .ci/run`, async () => {
    const ciRun = await Deno.readTextFile(new URL(".ci/run", ROOT));
    const pinned = /\bdeno@(\d+\.\d+\.\d+)\b/.exec(ciRun)?.[1];
    assert.ok(pinned, ".ci/run pins no Deno version");
    const text = await Deno.readTextFile(new URL(path, ROOT));
    const versions = [...text.matchAll(/deno-version: (\S+)/g)].map((m) => m[1]);
    assert.ok(versions.length > 0, `${path} sets up no Deno`);
    for (const v of versions) assert.equal(v, pinned, `${path} uses Deno ${v}`);
  });

  Deno.test(`${path} runs the whole suite through .ci/run, as root, with CI set`, async () => {
    const scripts = runScripts(await load(path));
    assert.ok(scripts.some((s) => /^sudo env "PATH=\$PATH" CI=true \.ci\/run$/.test(s)));
  });
}

Deno.test("release.yml runs on version tags, after the tests, publishes every binary, then runs the action", async () => {
  const data = await load(".github/workflows/release.yml");
  assert.deepEqual(data.on, { push: { tags: ["v*"] } });
  const jobs = data.jobs as Record<string, Record<string, unknown>>;
  assert.equal(jobs.build?.needs, "test");
  const scripts = runScripts(data).join("\n");
  assert.match(scripts, /deno task compile:all --release-tag="\$GITHUB_REF_NAME"/);
  assert.match(scripts, /sha256sum cip-\* > SHA256SUMS/);
  assert.match(scripts, /gh release upload "\$TAG" dist\/cip-\* dist\/SHA256SUMS --clobber/);
  const action = jobs.action as { needs: string; steps: { uses?: string; with?: unknown }[] };
  assert.equal(action.needs, "build");
  const step = action.steps.find((s) => s.uses === "./");
  assert.deepEqual(step?.with, {
    repository: "${{ github.repository }}",
    version: "${{ github.ref_name }}",
    args: "--version",
  });
});

Deno.test("action.yml is a composite action whose every input reaches a step", async () => {
  const data = await load("action.yml");
  const runs = data.runs as { using: string; steps: Record<string, unknown>[] };
  assert.equal(runs.using, "composite");
  const inputs = Object.keys(data.inputs as Record<string, unknown>);
  const text = await Deno.readTextFile(new URL("action.yml", ROOT));
  const used = new Set([...text.matchAll(/\$\{\{ inputs\.([\w-]+) \}\}/g)].map((m) => m[1]));
  assert.deepEqual([...used].sort(), [...inputs].sort());
  for (const step of runs.steps) assert.equal(step.shell, "bash");
});

Deno.test("action.yml passes inputs to its scripts as the variables the scripts read", async () => {
  const data = await load("action.yml");
  const steps = (data.runs as { steps: { env?: Record<string, string>; run: string }[] }).steps;
  for (const step of steps) {
    const script = /\.github\/action\/[\w.]+/.exec(step.run)?.[0];
    assert.ok(script, `step ${step.run} runs no script of .github/action`);
    const text = await Deno.readTextFile(new URL(script, ROOT));
    for (const name of Object.keys(step.env ?? {})) {
      assert.match(text, new RegExp(`\\$\\{${name}[:}]`), `${script} never reads ${name}`);
    }
    assert.doesNotMatch(step.run, /\$\{\{/, "inputs go through env, never into the script text");
  }
});

Deno.test("action.yml mirrors the main flags of cip", async () => {
  const data = await load("action.yml");
  const inputs = Object.keys(data.inputs as Record<string, unknown>);
  const flags = [
    "manifest",
    "thin-manifest-dir",
    "confirm",
    "checks",
    "skip-checks",
    "diff-base",
    "key-files",
    "report",
    "log-level",
  ];
  for (const flag of flags) assert.ok(inputs.includes(flag), `no input for --${flag}`);
  const names = new Set(FLAGS.map((f) => f.name));
  for (const flag of flags) assert.ok(names.has(flag), `cip has no flag --${flag}`);
});
