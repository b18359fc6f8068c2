import { deepEqual } from "node:assert/strict";
import { parseChallenges } from "../../../src/registry/transport/challenge.ts";

const cases: [string, string | null, ReturnType<typeof parseChallenges>][] = [
  ["absent header", null, []],
  [
    "Bearer with quoted values",
    'Bearer realm="https://gcr.io/v2/token",service="gcr.io",scope="repository:p/a:pull"',
    [{
      scheme: "bearer",
      params: { realm: "https://gcr.io/v2/token", service: "gcr.io", scope: "repository:p/a:pull" },
    }],
  ],
  [
    "Bearer with unquoted values",
    "Bearer realm=https://gcr.io/v2/token,service=gcr.io",
    [{ scheme: "bearer", params: { realm: "https://gcr.io/v2/token", service: "gcr.io" } }],
  ],
  [
    "Bearer without service (Artifact Registry)",
    'Bearer realm="https://us-docker.pkg.dev/v2/token"',
    [{ scheme: "bearer", params: { realm: "https://us-docker.pkg.dev/v2/token" } }],
  ],
  [
    "comma inside a quoted scope, spaces around =",
    'Bearer realm = "https://r/t", scope="repository:a:pull,push"',
    [{ scheme: "bearer", params: { realm: "https://r/t", scope: "repository:a:pull,push" } }],
  ],
  [
    "escaped quote in a value, scheme and names case-insensitive",
    'BASIC Realm="say \\"hi\\""',
    [{ scheme: "basic", params: { realm: 'say "hi"' } }],
  ],
  [
    "several challenges in one header",
    'Basic realm="Registry Realm", Bearer realm="https://a/token",service="a"',
    [
      { scheme: "basic", params: { realm: "Registry Realm" } },
      { scheme: "bearer", params: { realm: "https://a/token", service: "a" } },
    ],
  ],
  [
    "a scheme without parameters followed by another",
    'Negotiate, Basic realm="x"',
    [{ scheme: "negotiate", params: {} }, { scheme: "basic", params: { realm: "x" } }],
  ],
  ["only a scheme", "Basic", [{ scheme: "basic", params: {} }]],
  [
    "unterminated quote keeps what is there",
    'Bearer realm="https://a/t',
    [{ scheme: "bearer", params: { realm: "https://a/t" } }],
  ],
];

for (const [name, header, want] of cases) {
  Deno.test(`parseChallenges() reads ${name}`, () => {
    deepEqual(parseChallenges(header), want);
  });
}
