import assert from "node:assert/strict";

const readme = await Deno.readTextFile(new URL("../../../README.md", import.meta.url));

/** The README's Credentials section. */
function credentialsSection(): string {
  const start = readme.indexOf("\n## Credentials\n");
  assert.ok(start >= 0, "README has a Credentials section");
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

Deno.test("README's Credentials section names every variable and flag the credential code reads", () => {
  const text = credentialsSection();
  for (
    const name of [
      "--key-files",
      "GOOGLE_APPLICATION_CREDENTIALS",
      "GCE_METADATA_HOST",
      "DOCKER_CONFIG",
      "REGISTRY_AUTH_FILE",
      "XDG_RUNTIME_DIR",
      "credHelpers",
      "credsStore",
      "identitytoken",
      "service-account",
      "oauth2accesstoken",
      "--max-requests-per-second",
      "--threads",
    ]
  ) assert.ok(text.includes(name), name);
});

Deno.test("README's Credentials section lists the Google sources in the order the code tries them", async () => {
  const text = credentialsSection();
  const order = [
    "**`--key-files",
    "**`GOOGLE_APPLICATION_CREDENTIALS`**",
    "**The metadata server**",
    "**Impersonation**",
  ];
  const at = order.map((s) => text.indexOf(s));
  assert.ok(at.every((i) => i >= 0), JSON.stringify(at));
  assert.deepEqual([...at].sort((a, b) => a - b), at);
  const code = await Deno.readTextFile(
    new URL("../../../src/registry/auth/google_provider.ts", import.meta.url),
  );
  // The order #candidates tries the sources in.
  const candidates = code.slice(code.indexOf("async *#candidates("));
  const steps = [
    "yield* this.#keyFiles(",
    "yield* this.#applicationDefault(",
    "yield* this.#metadataServer(",
    "yield* this.#impersonation(",
  ];
  const codeAt = steps.map((s) => candidates.indexOf(s));
  assert.ok(codeAt.every((i) => i >= 0));
  assert.deepEqual([...codeAt].sort((a, b) => a - b), codeAt);
});
