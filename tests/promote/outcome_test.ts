import assert from "node:assert/strict";
import type { ExecuteResult } from "../../src/promote/execute.ts";
import { outcomeOf, promotionSucceeded } from "../../src/promote/outcome.ts";
import { plan } from "../../src/promote/plan.ts";
import { planText, summaryLines } from "../../src/promote/report.ts";
import type { Inventory } from "../../src/registry/inventory_types.ts";
import { edge, manifestOf } from "./edges_fixture.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const C = `sha256:${"c".repeat(64)}`;
const m = manifestOf("stage", ["prod"]);
const locations = new Map([
  ["stage", { backendId: "s", prefix: "" }],
  ["prod", { backendId: "p", prefix: "" }],
]);
const inventories = new Map<string, Inventory>([
  ["s", new Map([["foo", new Map([[A, { digest: A, tags: [] }], [B, { digest: B, tags: [] }]])]])],
  ["p", new Map([["foo", new Map([[A, { digest: A, tags: ["1"] }]])]])],
]);

const p = plan({
  edges: [
    edge(m, "prod", "foo", A, "1"), // present
    edge(m, "prod", "foo", A, "2"), // tag: A is there, tag 2 is not
    edge(m, "prod", "foo", B, "3"), // copy
    edge(m, "prod", "foo", C, null), // missing
    edge(m, "prod", "foo", C, "4"), // missing, same image
  ],
  locations,
  inventories,
});

Deno.test("outcomeOf() counts a digest with an action as not already present", () => {
  const o = outcomeOf(p, null, false);
  assert.deepEqual(o.destinations.get("prod"), {
    copied: 1,
    tagged: 1,
    present: 0,
    missing: 1,
    failed: 0,
    refused: 0,
  });
  assert.equal(o.ok, true);
  assert.deepEqual(o.edges.map((e) => e.result), [
    "present",
    "planned",
    "planned",
    "missing",
    "missing",
  ]);
});

Deno.test("outcomeOf() marks the edges of a failed action failed and the run not ok", () => {
  const copy = p.actions.find((a) => a.kind === "copy");
  const tag = p.actions.find((a) => a.kind === "tag");
  assert.ok(copy && tag);
  const run: ExecuteResult = {
    outcomes: new Map([[copy, { ok: false, error: "boom", ms: 1 }], [tag, { ok: true, ms: 1 }]]),
    stats: {
      blobsStreamed: 0,
      blobsMounted: 0,
      blobsPresent: 0,
      bytesStreamed: 0,
      manifestsPut: 0,
      manifestsPresent: 0,
      tagsPut: 1,
    },
    ms: 2,
  };
  const o = outcomeOf(p, run, true);
  assert.equal(o.ok, false);
  assert.deepEqual(o.edges.map((e) => e.result), [
    "present",
    "tagged",
    "failed",
    "missing",
    "missing",
  ]);
  assert.equal(o.edges[2]?.error, "boom");
  assert.deepEqual(summaryLines(o), [
    "prod: 0 copied, 1 tags added, 0 already present, 1 not found, 1 failed, 0 refused",
  ]);
});

Deno.test("planText() lists copies, tags, the present count and what is not found", () => {
  assert.equal(
    planText(p, false),
    [
      "Promotion plan (dry run; nothing is written without --confirm):",
      "",
      "prod (from stage):",
      "  to copy (1):",
      `    foo@${B} tags 3 (media type unknown)`,
      "  to tag (1):",
      `    foo@${A} add 2`,
      "  already present: 0",
      "  not found in the source or the destination (1):",
      `    foo@${C} (promoter-manifest.yaml:${p.decisions[3]?.edge.pos.line})`,
      "",
    ].join("\n"),
  );
});

Deno.test("promotionSucceeded() fails a dry run whose lookups failed, and not a confirmed run", () => {
  const lookup = {
    registry: "prod",
    image: "foo",
    digest: C,
    at: "destination" as const,
    error: 0,
  };
  assert.equal(promotionSucceeded(outcomeOf(p, null, false), []), true);
  assert.equal(promotionSucceeded(outcomeOf(p, null, false), [lookup]), false);
  const run: ExecuteResult = { outcomes: new Map(), stats: {} as ExecuteResult["stats"], ms: 0 };
  for (const a of p.actions) run.outcomes.set(a, { ok: true, ms: 0 });
  assert.equal(promotionSucceeded(outcomeOf(p, run, true), [lookup]), true);
});
