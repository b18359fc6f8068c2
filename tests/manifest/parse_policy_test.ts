import assert from "node:assert/strict";
import { parsePlainManifest, parseThinManifest, Problems } from "../../src/manifest/mod.ts";
import { digest, imagesYaml, registriesYaml } from "./fixtures.ts";

const images = imagesYaml("apple", { [digest("a")]: ["1.0"] });

function thin(policy: string) {
  const problems = new Problems();
  const m = parseThinManifest(`${registriesYaml()}${policy}`, "p.yaml", images, "i.yaml", problems);
  const errors = problems.count > 0 ? problems.toError().errors.map((e) => e.message) : [];
  return { m, errors };
}

Deno.test("parseThinManifest() reads a policy block: mode, exact and regexp identities", () => {
  const { m, errors } = thin(
    "policy:\n" +
      "  mode: require\n" +
      "  identities:\n" +
      "  - subject: builder@example.com\n" +
      "    issuer: https://accounts.example.com\n" +
      "  - subject-regexp: ^https://github\\.com/org/.*$\n" +
      "    issuer-regexp: https://token\\.actions\\..*\n",
  );
  assert.deepEqual(errors, []);
  assert.equal(m?.policy?.mode, "require");
  assert.deepEqual(m?.policy?.identities, [
    {
      subject: { exact: "builder@example.com" },
      issuer: { exact: "https://accounts.example.com" },
    },
    {
      subject: { regexp: "^https://github\\.com/org/.*$" },
      issuer: { regexp: "https://token\\.actions\\..*" },
    },
  ]);
  assert.equal(m?.policy?.pos.file, "p.yaml");
});

Deno.test("parseThinManifest() without a policy block gives a manifest without a policy", () => {
  const { m, errors } = thin("");
  assert.deepEqual(errors, []);
  assert.equal(m?.policy, undefined);
});

Deno.test("parseThinManifest() accepts mode off without identities", () => {
  const { m, errors } = thin("policy:\n  mode: off\n");
  assert.deepEqual(errors, []);
  assert.deepEqual(m?.policy?.identities, []);
});

const bad: [string, string, string[]][] = [
  ["an unknown mode", "policy:\n  mode: strict\n  identities: []\n", [
    "p.yaml:6:9: policy.mode: invalid mode: strict (expected off, warn, require)",
  ]],
  ["no mode", "policy:\n  identities: []\n", [
    "p.yaml:6:3: policy: 'mode' field cannot be empty (expected off, warn, require)",
  ]],
  ["require without identities", "policy:\n  mode: require\n", [
    "p.yaml:6:3: policy: mode require needs at least one entry in 'identities' (whose " +
    "signatures count)",
  ]],
  [
    "an identity without an issuer, and an unknown field",
    "policy:\n  mode: warn\n  identities:\n  - subject: a@b.c\n    email: x\n",
    [
      "p.yaml:8:5: policy.identities[0]: 'issuer' or 'issuer-regexp' field cannot be empty",
      'p.yaml:9:5: policy.identities[0]: unknown field "email"; expected only subject, ' +
      "subject-regexp, issuer, issuer-regexp",
    ],
  ],
  [
    "both subject and subject-regexp, and an invalid regexp",
    "policy:\n  mode: warn\n  identities:\n  - subject: a\n    subject-regexp: a\n" +
    "    issuer-regexp: '('\n",
    [
      "p.yaml:9:5: policy.identities[0]: give 'subject' or 'subject-regexp', not both",
      "p.yaml:10:20: policy.identities[0].issuer-regexp: invalid regular expression (: " +
      "Invalid regular expression: /^(?:()$/: Unterminated group",
    ],
  ],
  ["a policy that is a list", "policy: [require]\n", [
    "p.yaml:5:9: policy: expected a policy (a map with mode and identities), got a list",
  ]],
];

for (const [what, policy, expected] of bad) {
  Deno.test(`parseThinManifest() reports ${what} in the policy block at its line`, () => {
    const { m, errors } = thin(policy);
    assert.equal(m, null);
    assert.deepEqual(errors, expected);
  });
}

Deno.test("parsePlainManifest() reads a policy block too", () => {
  const problems = new Problems();
  const text = `${registriesYaml()}policy:\n  mode: warn\n  identities:\n` +
    "  - subject: a@b.c\n    issuer: https://i.example\n" +
    `images:\n- name: apple\n  dmap:\n    "${digest("a")}": ["1.0"]\n`;
  const m = parsePlainManifest(text, "m.yaml", problems);
  assert.equal(problems.count, 0);
  assert.equal(m?.policy?.mode, "warn");
});
