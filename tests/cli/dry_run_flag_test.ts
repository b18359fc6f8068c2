import assert from "node:assert/strict";
import { parseFlags } from "../../src/cli/flags.ts";
import { UsageError } from "../../src/cli/usage_error.ts";

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
