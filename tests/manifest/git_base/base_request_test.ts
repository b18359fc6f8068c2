import assert from "node:assert/strict";
import { baseRequest, DiffBaseError } from "../../../src/manifest/git_base/mod.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("baseRequest() is null when no base flag is given", () => {
  assert.equal(baseRequest({}, env({ JOB_TYPE: "presubmit", PULL_BASE_SHA: "abc" })), null);
});

Deno.test("baseRequest() takes --diff-base as given, without scoping the promotion", () => {
  assert.deepEqual(baseRequest({ diffBase: "origin/main" }, env({})), {
    kind: "rev",
    rev: "origin/main",
    scope: false,
    why: "--diff-base",
  });
});

Deno.test("baseRequest() takes PULL_BASE_SHA in Prow presubmit and batch jobs", () => {
  for (const jobType of ["presubmit", "batch"]) {
    const r = baseRequest(
      { useProwManifestDiff: true },
      env({ JOB_TYPE: jobType, PULL_BASE_SHA: "0123abc" }),
    );
    assert.equal(r?.kind === "rev" && r.rev, "0123abc");
    assert.equal(r?.scope, true);
  }
});

Deno.test("baseRequest() takes HEAD^ in Prow postsubmit jobs", () => {
  const r = baseRequest({ useProwManifestDiff: true }, env({ JOB_TYPE: "postsubmit" }));
  assert.equal(r?.kind === "rev" && r.rev, "HEAD^");
});

Deno.test("baseRequest() refuses Prow jobs without a usable base", () => {
  assert.throws(
    () => baseRequest({ useProwManifestDiff: true }, env({ JOB_TYPE: "periodic" })),
    (e) => e instanceof DiffBaseError && /JOB_TYPE .*not "periodic"/.test(e.message),
  );
  assert.throws(
    () => baseRequest({ useProwManifestDiff: true }, env({})),
    (e) => e instanceof DiffBaseError && /not unset/.test(e.message),
  );
  assert.throws(
    () => baseRequest({ useProwManifestDiff: true }, env({ JOB_TYPE: "presubmit" })),
    (e) => e instanceof DiffBaseError && /needs PULL_BASE_SHA/.test(e.message),
  );
});

Deno.test("baseRequest() scopes --manifest-diff-since and refuses two base flags at once", () => {
  assert.deepEqual(baseRequest({ manifestDiffSince: "2 weeks ago" }, env({})), {
    kind: "since",
    date: "2 weeks ago",
    scope: true,
    why: "--manifest-diff-since",
  });
  assert.throws(
    () => baseRequest({ diffBase: "x", manifestDiffSince: "y" }, env({})),
    (e) => e instanceof DiffBaseError && /--diff-base and --manifest-diff-since/.test(e.message),
  );
});
