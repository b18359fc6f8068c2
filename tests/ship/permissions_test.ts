import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../../.github/build/permission_flags.ts";
import { runCli, runDeno } from "../cli/run_cli.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Asks Deno, inside a process run with the binary's flags, which permissions it holds. */
async function granted(): Promise<Record<string, string>> {
  const dir = await Deno.makeTempDir();
  const probe = `${dir}/probe.ts`;
  await Deno.writeTextFile(
    probe,
    `const names = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;
const states: Record<string, string> = {};
for (const name of names) states[name] = (await Deno.permissions.query({ name })).state;
console.log(JSON.stringify(states));
`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, "--config", CONFIG, "--quiet", probe],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  const dec = new TextDecoder();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  return JSON.parse(dec.decode(out.stdout));
}

Deno.test("the binary's flags grant read, write, net, env and run, and never sys, ffi or import", async () => {
  const states = await granted();
  for (const name of ["read", "write", "net", "env", "run"]) {
    assert.equal(states[name], "granted", name);
  }
  for (const name of ["sys", "ffi", "import"]) assert.notEqual(states[name], "granted", name);
});

Deno.test("the binary's flags turn every missing permission into an error, never a prompt", () => {
  assert.ok(PERMISSION_FLAGS.includes("--no-prompt"));
  assert.ok(!PERMISSION_FLAGS.some((f) => f === "-A" || f === "--allow-all"));
});

Deno.test("the CLI tests run main.ts with the binary's flags, not -A", async () => {
  const text = await Deno.readTextFile(new URL("../cli/run_cli.ts", import.meta.url));
  assert.match(text, /args: \["run", \.\.\.PERMISSION_FLAGS, "--quiet", MAIN, \.\.\.args\]/);
  assert.doesNotMatch(text, /"-A"/);
});

/** Runs main.ts with the binary's flags and more Deno flags (e.g. --deny-read). */
function cliWith(denoFlags: string[], args: string[]) {
  const main = new URL("../../main.ts", import.meta.url).pathname;
  return runDeno({ args: ["run", ...PERMISSION_FLAGS, ...denoFlags, "--quiet", main, ...args] });
}

Deno.test("a manifest cip may not read is refused as 'permission denied', not with Deno's words", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/promoter-manifest.yaml`;
  await Deno.writeTextFile(file, "registries: []\n");
  const r = await cliWith([`--deny-read=${file}`], [`--manifest=${file}`, "--parse-only"]);
  await Deno.remove(dir, { recursive: true });
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `ERROR: ${file}: cannot be read: permission denied\ncip: 1 problem found in the manifests\n`,
  );
  assert.equal(r.stdout, "");
});

Deno.test("a thin manifest directory cip may not read is refused as 'permission denied'", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/manifests/a`, { recursive: true });
  await Deno.mkdir(`${dir}/images/a`, { recursive: true });
  const r = await cliWith([`--deny-read=${dir}`], [`--thin-manifest-dir=${dir}`, "--parse-only"]);
  await Deno.remove(dir, { recursive: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /: permission denied\n/);
  assert.doesNotMatch(r.stderr, /--allow-|Requires read access|NotCapable/);
});

Deno.test("a missing manifest is refused with a clear message under the binary's permissions", async () => {
  const dir = await Deno.makeTempDir();
  const missing = `${dir}/none.yaml`;
  const r = await runCli([`--manifest=${missing}`, "--parse-only"]);
  await Deno.remove(dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^ERROR: ${missing}: no such file`));
  assert.doesNotMatch(r.stderr, /--allow-|Requires read access|NotCapable/);
});

/** Every source file under a directory, recursively. */
async function* sources(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) yield* sources(new URL(`${e.name}/`, dir));
    else if (e.name.endsWith(".ts")) yield new URL(e.name, dir);
  }
}

Deno.test("only the git runner and the credential helper runner start programs", async () => {
  // The binary's run permission is unscoped, so every place that starts a program is reviewed.
  const src = new URL("../../src/", import.meta.url);
  const spawners: string[] = [];
  for await (const file of sources(src)) {
    if ((await Deno.readTextFile(file)).includes("new Deno.Command(")) {
      spawners.push(file.href.slice(src.href.length));
    }
  }
  assert.deepEqual(spawners.sort(), ["manifest/git_base/git.ts", "registry/auth/options.ts"]);
  const helpers = await Deno.readTextFile(new URL("registry/auth/docker_config.ts", src));
  assert.match(helpers, /const program = `docker-credential-\$\{name\}`;/);
});
