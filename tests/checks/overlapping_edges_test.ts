import assert from "node:assert/strict";
import { overlappingEdges } from "../../src/checks/overlapping_edges.ts";
import { d, imagesYaml, registriesYaml } from "./manifest_text.ts";
import { runCheck } from "./run_check.ts";

/** Two thin sub-manifests, a and b, promoting `apple` to the same destination. */
function twoManifests(digestA: string, digestB: string) {
  const regs = registriesYaml("gcr.io/stage", ["gcr.io/prod"]);
  return {
    "manifests/a/promoter-manifest.yaml": regs,
    "images/a/images.yaml": imagesYaml([{ name: "apple", dmap: { [digestA]: ["1.0"] } }]),
    "manifests/b/promoter-manifest.yaml": regs,
    "images/b/images.yaml": imagesYaml([{ name: "apple", dmap: { [digestB]: ["1.0"] } }]),
  };
}

Deno.test("overlapping-edges reports a tag two manifests want with two digests, with both places", async () => {
  const r = await runCheck(overlappingEdges, { head: twoManifests(d("a"), d("b")) });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.severity, "error");
  assert.match(f.message, /gcr\.io\/prod\/apple:1\.0/);
  const files = [r.file("images/a/images.yaml"), r.file("images/b/images.yaml")];
  assert.ok(files.includes(f.file!), f.file);
  const other = files.find((x) => x !== f.file)!;
  assert.ok(f.message.includes(`${other}:3`), f.message);
  assert.equal(f.line, 3);
});

Deno.test("overlapping-edges accepts the same digest wanted twice", async () => {
  const r = await runCheck(overlappingEdges, { head: twoManifests(d("a"), d("a")) });
  assert.deepEqual(r.findings, []);
});
