import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  allowedIdentity,
  describeMatcher,
  matches,
  parsePolicy,
  PolicyError,
} from "../../src/sigstore/mod.ts";

const GH = "https://token.actions.githubusercontent.com";
const WORKFLOW =
  "https://github.com/kubernetes/release/.github/workflows/build.yaml@refs/heads/main";

Deno.test("parsePolicy() reads mode and identities with exact and regexp matchers", () => {
  const policy = parsePolicy({
    mode: "require",
    identities: [
      { subject: WORKFLOW, issuer: GH },
      {
        "subject-regexp": "^.*@k8s-staging\\.iam\\.gserviceaccount\\.com$",
        "issuer-regexp": "https://accounts\\.google\\.com",
      },
    ],
  }, "promoter-manifest.yaml");
  deepEqual(policy, {
    mode: "require",
    identities: [
      { subject: { exact: WORKFLOW }, issuer: { exact: GH } },
      {
        subject: { regexp: "^.*@k8s-staging\\.iam\\.gserviceaccount\\.com$" },
        issuer: { regexp: "https://accounts\\.google\\.com" },
      },
    ],
  });
});

Deno.test("parsePolicy() accepts mode off without identities", () => {
  deepEqual(parsePolicy({ mode: "off" }, "flags"), { mode: "off", identities: [] });
});

const INVALID: [string, unknown, string[]][] = [
  ["not a map", "require", ["the policy must be a map"]],
  ["no mode", { identities: [] }, ["'mode' is required (off, warn, require)"]],
  ["unknown mode", { mode: "strict" }, [`'mode' must be one of off, warn, require, not "strict"`]],
  ["unknown field", { mode: "off", signers: [] }, ["unknown field 'signers'"]],
  ["require without identities", { mode: "require" }, [
    "mode 'require' needs at least one entry in 'identities'",
  ]],
  ["warn without identities", { mode: "warn", identities: [] }, [
    "mode 'warn' needs at least one entry in 'identities'",
  ]],
  ["identities not a list", { mode: "off", identities: "x" }, ["'identities' must be a list"]],
  ["identity not a map", { mode: "warn", identities: ["x"] }, [
    "identities[0]: must be a map with 'subject' and 'issuer'",
  ]],
  ["no issuer", { mode: "warn", identities: [{ subject: WORKFLOW }] }, [
    "identities[0]: 'issuer' or 'issuer-regexp' is required",
  ]],
  [
    "both subject forms",
    { mode: "warn", identities: [{ subject: "a", "subject-regexp": "a", issuer: GH }] },
    ["identities[0]: give 'subject' or 'subject-regexp', not both"],
  ],
  ["empty subject", { mode: "warn", identities: [{ subject: " ", issuer: GH }] }, [
    "identities[0]: 'subject' must be a non-empty string",
  ]],
  [
    "unknown identity field and a bad regexp, both reported",
    {
      mode: "warn",
      identities: [{ subject: "a", issuer: GH, email: "x" }, { "subject-regexp": "(", issuer: GH }],
    },
    [
      "identities[0]: unknown field 'email'",
      "identities[1]: 'subject-regexp' is not a valid regular expression",
    ],
  ],
];

for (const [name, value, problems] of INVALID) {
  Deno.test(`parsePolicy() refuses a policy: ${name}`, () => {
    throws(() => parsePolicy(value, "manifests/x/promoter-manifest.yaml"), (e) => {
      ok(e instanceof PolicyError && e instanceof SyntaxError);
      equal(e.source, "manifests/x/promoter-manifest.yaml");
      equal(e.problems.length, problems.length, e.problems.join("; "));
      problems.forEach((p, i) => ok(e.problems[i]!.startsWith(p), `${e.problems[i]} / ${p}`));
      ok(e.message.startsWith("Invalid trust policy in manifests/x/promoter-manifest.yaml: "));
      return true;
    });
  });
}

Deno.test("regexp matchers match the whole text, exact ones equal text", () => {
  ok(matches({ regexp: "a.c" }, "abc"));
  equal(matches({ regexp: "a.c" }, "xabcx"), false);
  equal(matches({ regexp: "a|b" }, "ab"), false); // the alternation is grouped before anchoring
  ok(matches({ exact: "a.c" }, "a.c"));
  equal(matches({ exact: "a.c" }, "abc"), false);
  equal(describeMatcher({ exact: "x" }), '"x"');
  equal(describeMatcher({ regexp: "x.*" }), "/x.*/");
});

Deno.test("allowedIdentity() needs subject and issuer of one entry to match", () => {
  const allowed = [
    { subject: { exact: "a@example.com" }, issuer: { exact: "https://one" } },
    { subject: { exact: "b@example.com" }, issuer: { exact: "https://two" } },
  ];
  equal(allowedIdentity(allowed, { subject: "b@example.com", issuer: "https://two" }), allowed[1]);
  equal(allowedIdentity(allowed, { subject: "a@example.com", issuer: "https://two" }), undefined);
});
