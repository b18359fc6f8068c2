import { deepEqual, equal } from "node:assert/strict";
import { coversScopes, mergeScopes } from "../../../src/registry/transport/scopes.ts";

Deno.test("mergeScopes() puts the push scope first and keeps first-seen order otherwise", () => {
  deepEqual(
    mergeScopes(["repository:src/a:pull", "repository:dst/a:pull,push"]),
    ["repository:dst/a:pull,push", "repository:src/a:pull"],
  );
});

Deno.test("mergeScopes() joins actions on one resource across lists", () => {
  deepEqual(
    mergeScopes(["repository:a:push"], ["repository:a:pull", "repository:b:pull"]),
    ["repository:a:pull,push", "repository:b:pull"],
  );
});

Deno.test("mergeScopes() splits space-separated challenge scopes and drops empties", () => {
  deepEqual(mergeScopes(["repository:a:pull repository:b:pull", ""]), [
    "repository:a:pull",
    "repository:b:pull",
  ]);
});

Deno.test("mergeScopes() keeps registry:catalog:* and names containing colons", () => {
  deepEqual(mergeScopes(["registry:catalog:*"]), ["registry:catalog:*"]);
  deepEqual(mergeScopes(["repository:host:5000/a:pull"]), ["repository:host:5000/a:pull"]);
});

Deno.test("coversScopes() accepts a subset of actions and rejects anything more", () => {
  equal(coversScopes(["repository:a:pull,push"], ["repository:a:pull"]), true);
  equal(coversScopes(["repository:a:pull"], ["repository:a:pull,push"]), false);
  equal(coversScopes(["repository:a:pull"], ["repository:b:pull"]), false);
  equal(coversScopes(["registry:catalog:*"], ["registry:catalog:*"]), true);
  equal(coversScopes([], []), true);
});
