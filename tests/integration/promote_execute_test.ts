/** The promotion layer (plan + execute) over the HTTP client against real registries. */
import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import type { Edge } from "../../src/manifest/types.ts";
import {
  execute,
  openRegistries,
  type Plan,
  plan,
  type RegistryAccess,
  takeInventory,
} from "../../src/promote/mod.ts";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { plainHttpFetch } from "../../src/registry/http/http_fetch.ts";
import { readRepositories } from "../../src/registry/inventory.ts";
import { edge, manifestOf } from "../promote/edges_fixture.ts";
import { startLoggedRegistry, writesOf } from "./logged_registry.ts";
import { assertPromoted, pushStaging, type Staging } from "./promote_fixture.ts";

function edgesOf(staging: Staging, src: string, dsts: string[]): Edge[] {
  const m = manifestOf(src, dsts);
  const edges: Edge[] = [];
  for (const d of dsts) {
    for (const [image, digests] of Object.entries(staging.dmap)) {
      for (const [digest, tags] of Object.entries(digests)) {
        if (tags.length === 0) edges.push(edge(m, d, image, digest, null));
        for (const t of tags) edges.push(edge(m, d, image, digest, t));
      }
    }
  }
  return edges;
}

Deno.test("plan() and execute() promote over HTTP byte for byte, mounting on one host, and a second plan is all present", async () => {
  const a = await startLoggedRegistry();
  const b = await startLoggedRegistry();
  try {
    const staging = await pushStaging(a.url, "staging");
    const src = `${a.host}/staging`;
    const prod = `${b.host}/prod`;
    const released = `${a.host}/released`;
    const edges = edgesOf(staging, src, [prod, released]);
    const http = plainHttpFetch();
    const A = new HttpBackend({ host: a.host, fetch: http });
    const B = new HttpBackend({ host: b.host, fetch: http });
    const backends = new Map([[src, A], [prod, B], [released, A]]);
    const prefixes = new Map([[src, "staging"], [prod, "prod"], [released, "released"]]);
    const access: RegistryAccess = {
      open: (name) =>
        Promise.resolve({ backend: backends.get(name)!, prefix: prefixes.get(name)! }),
      readRepositories,
    };
    const planNow = async (): Promise<Plan> => {
      const registries = await openRegistries(edges, access);
      const { inventories, lookups } = await takeInventory(edges, registries, access);
      return plan({ edges, locations: registries.locations, inventories, lookups });
    };

    const first = await planNow();
    assert.ok(first.decisions.every((d) => d.decision === "copy"));
    await Promise.all([a.mark(), b.mark()]);
    const r = await execute(first, { backends, log: new Logger("error") });
    assert.deepEqual([...r.outcomes.values()].filter((o) => !o.ok), []);
    await assertPromoted(b.url, "prod", staging.dmap);
    await assertPromoted(a.url, "released", staging.dmap);
    const aWrites = writesOf(await a.served());
    // Same host: blobs mounted from staging, never uploaded.
    assert.ok(aWrites.filter((w) => w.uri.includes("mount=")).length > 0);
    assert.deepEqual(
      aWrites.filter((w) => w.method === "PATCH" || /uploads\/[^?]/.test(w.uri)),
      [],
    );
    // Other host: each blob uploaded once (the shared layer of app and tool included).
    const uploads = writesOf(await b.served()).filter((w) =>
      w.method === "PUT" && w.uri.includes("/blobs/uploads/")
    );
    const digests = uploads.map((u) => /digest=([^&]+)/.exec(u.uri)?.[1]);
    const perRepo = uploads.map((u, i) => `${u.uri.split("/blobs/")[0]} ${digests[i]}`);
    assert.equal(new Set(perRepo).size, perRepo.length);

    const second = await planNow();
    assert.ok(second.decisions.every((d) => d.decision === "present"));
    assert.equal(second.actions.length, 0);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
