import { deepEqual, equal } from "node:assert/strict";
import { COSIGN_SIGN_PREDICATE, imageStatement, statementProblem } from "../../src/sigstore/mod.ts";

const DIGEST = `sha256:${"d4".repeat(32)}`;
const OTHER = `sha256:${"e5".repeat(32)}`;
const JSON_TYPE = "application/vnd.in-toto+json";
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

Deno.test("imageStatement() is cosign's image signature statement naming only the digest", () => {
  deepEqual(JSON.parse(new TextDecoder().decode(imageStatement(DIGEST))), {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ digest: { sha256: DIGEST.slice(7) } }],
    predicateType: COSIGN_SIGN_PREDICATE,
    predicate: {},
  });
  equal(
    statementProblem(JSON_TYPE, imageStatement(DIGEST), DIGEST, [COSIGN_SIGN_PREDICATE]),
    undefined,
  );
});

const SLSA = "https://slsa.dev/provenance/v1";
const CASES: [string, string, unknown, readonly string[], string | undefined][] = [
  ["another payload type", "text/plain", {}, [COSIGN_SIGN_PREDICATE], "not-a-signature"],
  ["not a statement", JSON_TYPE, { hello: 1 }, [COSIGN_SIGN_PREDICATE], "not-a-signature"],
  [
    "provenance when only signatures count",
    JSON_TYPE,
    {
      _type: "https://in-toto.io/Statement/v0.1",
      subject: [{ digest: { sha256: DIGEST.slice(7) } }],
      predicateType: SLSA,
    },
    [COSIGN_SIGN_PREDICATE],
    "not-a-signature",
  ],
  [
    "provenance when the caller accepts it",
    JSON_TYPE,
    {
      _type: "https://in-toto.io/Statement/v0.1",
      subject: [{ name: "x", digest: { sha256: DIGEST.slice(7) } }],
      predicateType: SLSA,
    },
    [COSIGN_SIGN_PREDICATE, SLSA],
    undefined,
  ],
  [
    "a statement about other images",
    JSON_TYPE,
    {
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ digest: { sha256: OTHER.slice(7) } }],
      predicateType: COSIGN_SIGN_PREDICATE,
    },
    [COSIGN_SIGN_PREDICATE],
    "not-this-image",
  ],
];

for (const [name, type, statement, accepted, kind] of CASES) {
  Deno.test(`statementProblem(): ${name}`, () => {
    equal(statementProblem(type, encode(statement), DIGEST, accepted)?.kind, kind);
  });
}
