import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import { computeEdges, type Edge } from "../../src/manifest/mod.ts";
import type { Base, BaseRequest } from "../../src/manifest/git_base/mod.ts";
import { scopeEdges } from "../../src/promote/scope.ts";
import { loadFixture } from "../fixtures/load_manifest_text.ts";
import { d, plainManifest } from "../fixtures/manifest_text.ts";

const SRC = "gcr.io/stage";
const DST = "us.gcr.io/prod";

async function edgesOf(dmap: Record<string, string[]>): Promise<Edge[]> {
  return computeEdges(await loadFixture(plainManifest(SRC, [DST], [{ name: "app", dmap }])))
    .edges;
}

async function baseOf(dmap: Record<string, string[]>, scope: boolean): Promise<Base> {
  const request: BaseRequest = { kind: "rev", rev: "HEAD^", scope, why: "a test" };
  const edges = await edgesOf(dmap);
  return {
    request,
    place: { git: null as never, dir: ".", prefix: "" },
    state: { rev: "HEAD^", manifests: [], edges: { edges, redundantEdges: [], overlaps: [] } },
  };
}

function logged() {
  let text = "";
  return { log: new Logger("info", (t) => text += t), text: () => text };
}

Deno.test("scopeEdges() keeps every edge when the base does not ask for scoping", async () => {
  const head = await edgesOf({ [d("a")]: ["1"], [d("b")]: ["2"] });
  const { log, text } = logged();
  assert.equal(scopeEdges(head, undefined, log), head);
  assert.equal(scopeEdges(head, await baseOf({ [d("a")]: ["1"] }, false), log), head);
  assert.equal(text(), "");
});

Deno.test("scopeEdges() keeps only what the change touched, and says so", async () => {
  const head = await edgesOf({ [d("a")]: ["1"], [d("b")]: ["2"] });
  const { log, text } = logged();
  const kept = scopeEdges(head, await baseOf({ [d("a")]: ["1"] }, true), log);
  assert.deepEqual(kept.map((e) => e.digest), [d("b")]);
  assert.match(text(), /^promoting only what changed since HEAD\^: 1 of 2 edges/);
});

Deno.test("scopeEdges() promotes nothing for a change that adds nothing, with a warning", async () => {
  const head = await edgesOf({ [d("a")]: ["1"] });
  const { log, text } = logged();
  assert.deepEqual(scopeEdges(head, await baseOf({ [d("a")]: ["1", "x"] }, true), log), []);
  assert.match(
    text(),
    /WARN: the manifests changed nothing to promote since HEAD\^: nothing to do/,
  );
});
