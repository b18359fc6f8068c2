import assert from "node:assert/strict";
import { tagMove } from "../../src/checks/tag_move.ts";
import { d, lineOf, plainManifest } from "../fixtures/manifest_text.ts";
import { runCheck } from "./run_check.ts";

const SRC = "gcr.io/stage";
const DSTS = ["us.gcr.io/prod", "eu.gcr.io/prod", "asia.gcr.io/prod"];
const base = plainManifest(SRC, DSTS, [
  { name: "apple", dmap: { [d("a")]: ["1.0", "latest"] } },
]);

Deno.test("tag-move reports a tag that points at another digest, at the tag's line", async () => {
  const head = plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0"], [d("b")]: ["latest"] } },
  ]);
  const r = await runCheck(tagMove, { base, head });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.severity, "error");
  assert.match(
    f.message,
    new RegExp(
      `tag apple:latest would move from ${d("a")} \\(at base\\) to ${d("b")} in 3 registries`,
    ),
  );
  assert.equal(f.file, r.file());
  assert.equal(f.line, lineOf(head, d("b")));
});

Deno.test("tag-move accepts new tags, new digests and unchanged tags", async () => {
  const head = plainManifest(SRC, DSTS, [
    { name: "apple", dmap: { [d("a")]: ["1.0", "latest", "stable"], [d("b")]: ["1.1"] } },
    { name: "cherry", dmap: { [d("c")]: ["latest"] } },
  ]);
  const r = await runCheck(tagMove, { base, head });
  assert.deepEqual(r.findings, []);
});

Deno.test("tag-move does not need a registry and is skipped without a base", async () => {
  assert.deepEqual(tagMove.when.map((c) => c.describe).filter((t) => /regist/.test(t)), []);
  const r = await runCheck(tagMove, { head: base });
  assert.equal(r.skipped, true);
});
