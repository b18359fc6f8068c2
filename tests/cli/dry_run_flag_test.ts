import assert from "node:assert/strict";
import { parseFlags } from "../../src/cli/flags.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import { runCli } from "./run_cli.ts";

Deno.test("parseFlags() reads the original's --dry-run=false as --confirm", () => {
  const f = parseFlags(["run", "--manifest=m.yaml", "--dry-run=false"]);
  assert.equal(f.values.confirm, true);
  assert.equal(f.values["dry-run"], undefined);
});

Deno.test("parseFlags() reads --dry-run=true as --dry-run", () => {
  const f = parseFlags(["--manifest=m.yaml", "--dry-run=true"]);
  assert.equal(f.values["dry-run"], true);
  assert.equal(f.values.confirm, undefined);
});

Deno.test("parseFlags() accepts --dry-run=false together with --confirm", () => {
  assert.equal(parseFlags(["--confirm", "--dry-run=false"]).values.confirm, true);
});

const refused: [string, string[], RegExp][] = [
  ["--dry-run with --confirm", ["--dry-run", "--confirm"], /--dry-run and --confirm cannot/],
  ["--dry-run=true with --confirm", ["--dry-run=true", "--confirm"], /cannot be used together/],
  ["--dry-run with --dry-run=false", ["--dry-run", "--dry-run=false"], /contradict/],
  ["--dry-run=maybe", ["--dry-run=maybe"], /--dry-run takes true or false, not "maybe"/],
];
for (const [what, args, message] of refused) {
  Deno.test(`parseFlags() refuses ${what} as a usage error`, () => {
    assert.throws(
      () => parseFlags(args),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  });
}

Deno.test("cip exits 2 for --dry-run with --confirm", async () => {
  const r = await runCli(["--manifest=m.yaml", "--dry-run", "--confirm"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^cip: --dry-run and --confirm cannot be used together\n/);
});

Deno.test("cip copies with --dry-run=false and only plans with --dry-run", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const dir = await Deno.makeTempDir();
  try {
    const text = await Deno.readTextFile(`${root}testdata/demo/promoter-manifest.yaml`);
    const manifest = `${dir}/m.yaml`;
    await Deno.writeTextFile(
      manifest,
      text.replaceAll("ocidir://testdata/demo/production", `ocidir://${dir}/prod`),
    );
    const dry = await runCli(["run", `--manifest=${manifest}`, "--dry-run"], { cwd: root });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /\(dry run\): 6 to copy/);
    const real = await runCli(["run", `--manifest=${manifest}`, "--dry-run=false"], { cwd: root });
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stderr, /prod: 6 copied, 0 tags added, 0 already present/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
