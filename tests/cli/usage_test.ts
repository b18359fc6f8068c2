import assert from "node:assert/strict";
import { runCli } from "./run_cli.ts";

Deno.test("--help prints every flag and exits 0", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  for (
    const flag of ["--manifest=FILE", "--thin-manifest-dir=DIR", "--parse-only", "--log-level"]
  ) {
    assert.match(r.stdout, new RegExp(flag.replace(/[-=]/g, "\\$&")));
  }
  assert.equal(r.stderr, "");
});

Deno.test("--version prints the version from deno.json and, from source, no commit", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const r = await runCli(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `cip ${config.version} (commit unknown)\n`);
});

const usageCases: [string, string[], RegExp][] = [
  ["an unknown flag", ["--bogus"], /^cip: unknown flag --bogus\n/],
  ["a missing value", ["--manifest"], /^cip: --manifest needs a value\n/],
  ["an empty value", ["--manifest="], /^cip: --manifest needs a value\n/],
  ["a value given to a boolean", ["--parse-only=yes", "--manifest=x"], /takes no value/],
  ["neither manifest flag", ["run"], /one of --manifest or --thin-manifest-dir is required/],
  ["both manifest flags", ["--manifest=a", "--thin-manifest-dir=b"], /cannot be used together/],
  ["a flag given twice", ["--manifest=a", "--manifest=b"], /--manifest is given more than once/],
  ["a boolean given twice", ["--confirm", "--confirm", "--manifest=a"], /--confirm is given more/],
  ["a stray argument", ["run", "extra"], /unexpected argument "extra"/],
  ["a bad log level", ["--log-level=loud", "--manifest=a"], /--log-level must be one of/],
];

for (const [what, args, message] of usageCases) {
  Deno.test(`cip refuses ${what} with exit 2 and a pointer to --help`, async () => {
    const r = await runCli(args);
    assert.equal(r.code, 2);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Run 'cip --help' for usage\.\n$/);
    assert.equal(r.stdout, "");
  });
}
