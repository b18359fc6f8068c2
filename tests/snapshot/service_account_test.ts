import assert from "node:assert/strict";
import { FakeGoogle } from "../fakes/google.ts";
import { FakeRegistry } from "../fakes/registry.ts";
import { GOLDEN_CASES, goldenPath, seedGolden } from "./golden_content.ts";
import { runSnapshotIn } from "./run_snapshot.ts";

const SA = "snapshotter@prod.iam.gserviceaccount.com";
const OTHER = "someone-else@prod.iam.gserviceaccount.com";

/**
 * gcr.io behind token auth that grants pull only to a Google access token of SA (presented as
 * Basic oauth2accesstoken:<token>), and fake Google endpoints issuing such tokens.
 */
async function world() {
  const google = new FakeGoogle();
  const registry = new FakeRegistry({
    host: "gcr.io",
    extension: true,
    auth: {
      users: {
        get oauth2accesstoken() {
          return google.secrets.find((s) => google.accountOf(s) === SA) ?? "no token issued";
        },
      },
      grant: (user, _resource, action) => user === "oauth2accesstoken" && action === "pull",
    },
  });
  seedGolden(registry);
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    return url.host === "gcr.io" ? registry.fetch(input, init) : google.fetch(input, init);
  };
  const dir = await Deno.makeTempDir({ prefix: "cip-keys-" });
  await Deno.writeTextFile(`${dir}/sa.json`, await google.makeKey(SA));
  await Deno.writeTextFile(`${dir}/other.json`, await google.makeKey(OTHER));
  return { google, fetch, dir };
}

Deno.test("--snapshot-service-account reads the registry with that account's key from --key-files", async () => {
  const w = await world();
  try {
    const r = await runSnapshotIn([
      "--snapshot=gcr.io/prod",
      `--snapshot-service-account=${SA}`,
      `--key-files=${w.dir}/other.json,${w.dir}/sa.json`,
    ], w.fetch);
    assert.equal(r.code, 0, r.stderr);
    const golden = GOLDEN_CASES.find((c) => c.file === "prod.yaml")!;
    assert.equal(r.stdout, await Deno.readTextFile(goldenPath(golden, "gcr")));
    for (const secret of w.google.secrets) assert.ok(!r.stderr.includes(secret));
  } finally {
    await Deno.remove(w.dir, { recursive: true });
  }
});

Deno.test("a snapshot without the service account is refused by the registry: exit 1, no output", async () => {
  const w = await world();
  try {
    const anonymous = await runSnapshotIn(["--snapshot=gcr.io/prod"], w.fetch);
    assert.equal(anonymous.code, 1);
    assert.equal(anonymous.stdout, "");
    assert.match(anonymous.stderr, /Cannot take a snapshot of gcr\.io\/prod/);
    const wrong = await runSnapshotIn([
      "--snapshot=gcr.io/prod",
      `--snapshot-service-account=${OTHER}`,
      `--key-files=${w.dir}/other.json`,
    ], w.fetch);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, "");
  } finally {
    await Deno.remove(w.dir, { recursive: true });
  }
});
