import assert from "node:assert/strict";
import {
  ALL_CHECKS,
  CAN_READ_REGISTRIES,
  type Check,
  type CheckContext,
  HAS_GIT_BASE,
  hasErrors,
  parseCheckList,
  type PreSubmitInput,
  runPreSubmit,
  selectChecks,
} from "../../src/checks/mod.ts";
import type { Edge } from "../../src/manifest/mod.ts";
import { edge, manifestOf } from "../promote/edges_fixture.ts";

const ctx: CheckContext = {
  manifests: [],
  edges: { edges: [], redundantEdges: [], overlaps: [] },
  changed: [],
  maxImageSizeBytes: 1,
  debug: () => {},
};

/** Runs `checks` as the pre-submit step does, over no manifests. */
function runChecks(checks: Check[], more: Partial<PreSubmitInput> = {}) {
  const { manifests, edges, maxImageSizeBytes, debug } = ctx;
  return runPreSubmit({ checks, manifests, edges, maxImageSizeBytes, debug, ...more });
}

const edgeSet = (edges: Edge[]) => ({ edges, redundantEdges: [], overlaps: [] });

function fake(name: string, run: Check["run"], when: Check["when"] = []): Check {
  return { name, description: `${name} check`, when, run };
}

Deno.test("every check has a unique lowercase name and a one-line description", () => {
  const names = ALL_CHECKS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const c of ALL_CHECKS) {
    assert.match(c.name, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(c.description.length > 10 && !c.description.includes("\n"), c.name);
  }
});

Deno.test("selectChecks() keeps only --checks, drops --skip-checks, and names unknown ones", () => {
  const all = [fake("a", () => Promise.resolve([])), fake("b", () => Promise.resolve([]))];
  assert.deepEqual(selectChecks(all, undefined).checks.map((c) => c.name), ["a", "b"]);
  assert.deepEqual(selectChecks(all, ["b"]).checks.map((c) => c.name), ["b"]);
  assert.deepEqual(selectChecks(all, undefined, ["a"]).checks.map((c) => c.name), ["b"]);
  assert.deepEqual(selectChecks(all, ["a", "zz"], ["yy"]).unknown, ["zz", "yy"]);
});

Deno.test("parseCheckList() splits on commas and ignores blanks", () => {
  assert.deepEqual(parseCheckList("a, b,,c"), ["a", "b", "c"]);
});

Deno.test("runPreSubmit() skips a check whose condition fails and says what it needs", async () => {
  let ran = false;
  const c = fake("needs-base", () => {
    ran = true;
    return Promise.resolve([]);
  }, [HAS_GIT_BASE]);
  const r = await runChecks([c]);
  assert.equal(ran, false);
  assert.deepEqual(r.skipped, [{ check: "needs-base", needs: HAS_GIT_BASE.describe }]);
  assert.deepEqual(r.ran, []);
});

Deno.test("runPreSubmit() names each finding's check and keeps the checks' order", async () => {
  const r = await runChecks([
    fake("one", () => Promise.resolve([{ severity: "warning", message: "w" }])),
    fake("two", () => Promise.resolve([{ severity: "error", message: "e", file: "f", line: 2 }])),
  ]);
  assert.deepEqual(r.findings, [
    { check: "one", severity: "warning", message: "w" },
    { check: "two", severity: "error", message: "e", file: "f", line: 2 },
  ]);
  assert.equal(hasErrors(r.findings), true);
  assert.equal(hasErrors(r.findings.slice(0, 1)), false);
});

Deno.test("runPreSubmit() turns a failing check into an error and still runs the others", async () => {
  const r = await runChecks([
    fake("broken", () => Promise.reject(new Error("registry said 403", { cause: "DENIED" }))),
    fake("fine", () => Promise.resolve([{ severity: "warning", message: "ok" }])),
  ]);
  assert.equal(r.findings.length, 2);
  assert.equal(r.findings[0]!.check, "broken");
  assert.equal(r.findings[0]!.severity, "error");
  assert.match(r.findings[0]!.message, /could not run: registry said 403: DENIED/);
  assert.equal(r.findings[1]!.check, "fine");
});

Deno.test("conditions hold only when the run has a base, registry access", () => {
  assert.equal(HAS_GIT_BASE.holds(ctx), false);
  assert.equal(CAN_READ_REGISTRIES.holds(ctx), false);
  const full: CheckContext = {
    ...ctx,
    base: { rev: "main", manifests: [], edges: ctx.edges },
    openRegistry: () => {
      throw new Error("not opened in this test");
    },
  };
  assert.equal(HAS_GIT_BASE.holds(full), true);
  assert.equal(CAN_READ_REGISTRIES.holds(full), true);
});

Deno.test("runPreSubmit() shows the checks what the change touched when the base is known, else all", async () => {
  const m = manifestOf("stage", ["prod"]);
  const A = `sha256:${"a".repeat(64)}`;
  const B = `sha256:${"b".repeat(64)}`;
  const head = [edge(m, "prod", "app", A, "1"), edge(m, "prod", "app", B, "2")];
  const base = { rev: "main", manifests: [], edges: edgeSet([edge(m, "prod", "app", A, "1")]) };
  const seen: Edge[][] = [];
  const c = fake("sees", (cx) => (seen.push(cx.changed), Promise.resolve([])));
  await runChecks([c], { edges: edgeSet(head), base });
  await runChecks([c], { edges: edgeSet(head) });
  assert.deepEqual(seen, [[head[1]], head]);
});
