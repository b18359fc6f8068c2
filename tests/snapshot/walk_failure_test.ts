import assert from "node:assert/strict";
import { FakeRegistry } from "../fakes/registry.ts";
import { fillGolden } from "./golden_content.ts";
import { runSnapshotIn, runSnapshotPlain } from "./run_snapshot.ts";

async function filled(extension: boolean): Promise<FakeRegistry> {
  const fake = new FakeRegistry({ host: "reg.test", extension });
  await fillGolden("https://reg.test", { fetch: fake.fetch });
  return fake;
}

Deno.test("a 403 on a sub-repository's listing fails the snapshot naming it, printing nothing", async () => {
  const fake = await filled(true);
  fake.faults.add({ path: "/v2/prod/sub/bar/tags/list", action: { status: 403 } });
  const r = await runSnapshotIn(["--snapshot=reg.test/prod"], fake.fetch);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /Cannot take a snapshot of reg\.test\/prod: .*reg\.test\/prod\/sub\/bar.*403/,
  );
});

Deno.test("a 403 on one manifest of a plain registry fails the snapshot naming the repository", async () => {
  const fake = await filled(false);
  fake.faults.add({
    method: "HEAD",
    path: /^\/v2\/prod\/multi\/manifests\//,
    action: { status: 403 },
  });
  const r = await runSnapshotIn(["--snapshot=reg.test/prod", "--output=csv"], fake.fetch);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /reg\.test\/prod\/multi/);
});

Deno.test("a registry that stops answering mid-walk fails the snapshot, printing nothing", async () => {
  const fake = await filled(false);
  fake.faults.add({ path: /^\/v2\/prod\/sub\/bar\//, action: { reset: true } });
  const r = await runSnapshotPlain(["--snapshot=reg.test", "--output=json"], fake.fetch);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /Cannot take a snapshot of reg\.test: .*reg\.test\/prod\/sub\/bar/);
});
