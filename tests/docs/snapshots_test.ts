/** docs/snapshots.md shows real output: its samples are the golden snapshot files. */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const GOLDEN = new URL("testdata/golden/snapshot/", ROOT);
const section = await Deno.readTextFile(new URL("docs/snapshots.md", ROOT));

/** The output shown under `$ <command>` in a console block of docs/snapshots.md. */
function sample(command: string): string {
  const at = section.indexOf(`$ ${command}\n`);
  assert.ok(at >= 0, `docs/snapshots.md shows no "$ ${command}"`);
  const from = at + command.length + 3;
  const nextCommand = section.indexOf("\n$ ", from);
  const fence = section.indexOf("```", from);
  return section.slice(from, nextCommand >= 0 && nextCommand < fence ? nextCommand + 1 : fence);
}

const cases: [string, string, (text: string) => string][] = [
  [
    "cip run --snapshot=127.0.0.1:5000/prod",
    "prod.yaml",
    (t) => t.replace(/^(snapshot of .*\n)+/, ""),
  ],
  ["cip run --snapshot=127.0.0.1:5000/prod --output=csv 2>/dev/null", "prod.csv", (t) => t],
  [
    "cip run --snapshot=127.0.0.1:5000/prod --minimal-snapshot 2>/dev/null",
    "prod-minimal.yaml",
    (t) => t,
  ],
  [
    "cip run --snapshot=127.0.0.1:5000/prod --snapshot-tag=latest --output=csv 2>/dev/null",
    "prod-tag-latest.csv",
    (t) => t,
  ],
];

for (const [command, file, strip] of cases) {
  Deno.test(`docs/snapshots.md's sample of "${command}" is the golden ${file}`, async () => {
    assert.equal(strip(sample(command)), await Deno.readTextFile(new URL(file, GOLDEN)));
  });
}

Deno.test("docs/snapshots.md's JSON sample is part of the golden prod.json", async () => {
  const shown = JSON.parse(
    sample(
      "cip run --snapshot=127.0.0.1:5000/prod --output=json 2>/dev/null | jq '.[1].digests[0:2]'",
    ),
  );
  const golden = JSON.parse(await Deno.readTextFile(new URL("prod.json", GOLDEN)));
  assert.deepEqual(shown, golden[1].digests.slice(0, 2));
});
