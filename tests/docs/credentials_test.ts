/** docs/credentials.md names what the credential code reads, in the order it tries it. */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const doc = await Deno.readTextFile(new URL("docs/credentials.md", ROOT));

Deno.test("docs/credentials.md names every variable and flag the credential code reads", () => {
  const text = doc;
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

Deno.test("docs/credentials.md lists the Google sources in the order the code tries them", async () => {
  const text = doc;
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
    new URL("src/registry/auth/google_provider.ts", ROOT),
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
