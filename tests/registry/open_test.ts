import assert from "node:assert/strict";
import { Logger } from "../../src/log.ts";
import {
  ANONYMOUS,
  CredentialError,
  type CredentialProvider,
} from "../../src/registry/auth/mod.ts";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { RegistryError } from "../../src/registry/errors.ts";
import { readRepositories } from "../../src/registry/inventory.ts";
import { OciDirBackend } from "../../src/registry/ocidir/backend.ts";
import { Registries, type RegistriesOptions } from "../../src/registry/open.ts";
import { FakeRegistry } from "../fakes/registry.ts";
import { makeImage } from "../fixtures/images.ts";

const quiet = new Logger("error", () => {});

function registries(fetchFn: typeof fetch, extra: Partial<RegistriesOptions> = {}) {
  return new Registries({
    keyFiles: [],
    env: () => undefined,
    insecureHosts: [],
    credentials: () => ANONYMOUS,
    fetch: fetchFn,
    now: () => 0,
    sleep: () => Promise.resolve(),
    log: quiet,
    ...extra,
  });
}

const image = makeImage({ layers: 1, mediaType: "docker", seed: 8, layerSize: 2000 });

Deno.test("open() returns one backend per host and service account, with the prefix", () => {
  const seen: [string, string | undefined][] = [];
  const r = registries(fetch, {
    credentials: (host, sa) => {
      seen.push([host, sa]);
      return ANONYMOUS;
    },
  });
  const a = r.open("gcr.io/proj-a");
  const b = r.open("GCR.io/proj-b/images");
  const c = r.open("gcr.io/proj-a", "sa@p.iam.gserviceaccount.com");
  assert.ok(a.backend instanceof HttpBackend);
  assert.equal(a.backend, b.backend);
  assert.notEqual(a.backend, c.backend);
  assert.equal(a.prefix, "proj-a");
  assert.equal(b.prefix, "proj-b/images");
  assert.deepEqual(seen, [["gcr.io", undefined], ["gcr.io", "sa@p.iam.gserviceaccount.com"]]);
  assert.equal((a.backend as HttpBackend).baseUrl, "https://gcr.io");
});

Deno.test("open() reaches loopback and listed insecure hosts over http", () => {
  const r = registries(fetch, { insecureHosts: ["reg.lan:5000"] });
  assert.equal((r.open("reg.lan:5000/x").backend as HttpBackend).baseUrl, "http://reg.lan:5000");
  assert.equal((r.open("localhost:5000").backend as HttpBackend).baseUrl, "http://localhost:5000");
  assert.equal((r.open("reg.lan/x").backend as HttpBackend).baseUrl, "https://reg.lan");
});

Deno.test("open() dispatches ocidir:// names to the layout backend", () => {
  const r = registries(fetch);
  const d = r.open("ocidir://some/dir");
  assert.ok(d.backend instanceof OciDirBackend);
  assert.equal(d.prefix, "");
  assert.equal(r.open("ocidir://some/dir").backend, d.backend);
});

Deno.test("open() refuses a name that is not a registry name", () => {
  const r = registries(fetch);
  for (const bad of ["https://gcr.io/x", "gcr.io/Bad", "", "ocidir://"]) {
    assert.throws(() => r.open(bad), RegistryError, bad);
  }
});

Deno.test("opened backends authenticate through the transport and are counted", async () => {
  const fake = new FakeRegistry({ host: "reg.test", auth: { users: { ci: "pw" } } });
  fake.seed("team/app", image, ["1"]);
  const creds: CredentialProvider = {
    basic: () => Promise.resolve({ username: "ci", password: "pw" }),
    describe: () => "test user",
  };
  const r = registries(fake.fetch, { credentials: () => creds });
  const { backend } = r.open("reg.test/team");
  assert.deepEqual((await backend.listTags("team/app")).tags, ["1"]);
  assert.equal(await backend.hasBlob("team/app", image.layers[0]!.digest), true);
  assert.deepEqual(fake.auth?.tokenRequests.map((t) => t.user), ["ci"]);
  assert.ok(r.stats.requests >= 3, "challenge, token, retried listing, blob HEAD");
});

Deno.test("a redirected blob GET does not carry Authorization to the storage host", async () => {
  const fake = new FakeRegistry({
    host: "reg.test",
    auth: {},
    blobRedirectHost: "storage.test",
  });
  fake.seed("app", image, ["1"]);
  const { backend } = registries(fake.fetch).open("reg.test");
  const blob = await backend.getBlob("app", image.layers[0]!.digest);
  const bytes = new Uint8Array(await new Response(blob.body).arrayBuffer());
  assert.deepEqual(bytes, image.layers[0]!.bytes);
  const toRegistry = fake.requests.filter((q) => q.path.includes("/blobs/"));
  assert.ok(toRegistry.some((q) => q.headers.get("Authorization")?.startsWith("Bearer ")));
  const toStorage = fake.requests.filter((q) => q.host === "storage.test");
  assert.equal(toStorage.length, 1);
  assert.equal(toStorage[0]!.headers.get("Authorization"), null);
});

Deno.test("backends of one host share its in-flight cap (--threads)", async () => {
  const fake = new FakeRegistry({ host: "reg.test" });
  fake.seed("app", image, ["1"]);
  let inFlight = 0;
  let peak = 0;
  const slow: typeof fetch = async (input, init) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    try {
      return await fake.fetch(input, init);
    } finally {
      inFlight--;
    }
  };
  const r = registries(slow, { threads: 2 });
  const a = r.open("reg.test/x").backend;
  const b = r.open("reg.test/y", "someone@example.com").backend;
  await Promise.all(
    Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).headManifest("app", "1")),
  );
  assert.equal(peak, 2);
  assert.equal(r.stats.requests, 6);
});

Deno.test("an inventory read through the transport survives 429s, 5xx and resets", async () => {
  const fake = new FakeRegistry({ host: "reg.test", auth: {} });
  const other = makeImage({ layers: 1, mediaType: "oci", seed: 9 });
  fake.seed("app", image, ["1", "2"]);
  fake.seed("app", other, ["3"]);
  fake.faults.add({ method: "HEAD", times: 2, action: { status: 429, retryAfter: "2" } });
  fake.faults.add({ path: "/v2/app/tags/list", times: 1, action: { status: 503 } });
  fake.faults.add({ method: "HEAD", times: 1, action: { reset: true } });
  fake.faults.add({ method: "HEAD", times: 1, action: { status: 429 } });
  let clock = 0;
  const r = registries(fake.fetch, {
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
  });
  const inv = await readRepositories(r.open("reg.test").backend, ["app"]);
  assert.deepEqual(inv.get("app")?.get(image.manifest.digest)?.tags, ["1", "2"]);
  assert.deepEqual(inv.get("app")?.get(other.manifest.digest)?.tags, ["3"]);
  const snap = r.stats.snapshot();
  assert.equal(snap.retries, 5);
  assert.equal(snap.status429, 3);
  assert.ok(clock >= 2000, "Retry-After: 2 held the host for two seconds of the fake clock");
});

Deno.test("verifyCredentials() checks every opened registry's credentials once", async () => {
  const checked: string[] = [];
  const r = registries(fetch, {
    credentials: (host, sa) => ({
      basic: () => Promise.resolve(null),
      describe: () => `${host} as ${sa}`,
      verify: () => {
        checked.push(`${host} ${sa ?? "-"}`);
        return sa === "bad@x.iam.gserviceaccount.com"
          ? Promise.reject(new RegistryError(`no credentials for ${sa}`))
          : Promise.resolve();
      },
    }),
  });
  r.open("gcr.io/a", "good@x.iam.gserviceaccount.com");
  r.open("gcr.io/b", "good@x.iam.gserviceaccount.com");
  r.open("us-docker.pkg.dev/p/r");
  await r.verifyCredentials();
  assert.deepEqual(checked, ["gcr.io good@x.iam.gserviceaccount.com", "us-docker.pkg.dev -"]);
  r.open("eu.gcr.io/c", "bad@x.iam.gserviceaccount.com");
  await assert.rejects(r.verifyCredentials(), /no credentials for bad@/);
});

Deno.test("by default a service account's registry needs Google credentials, checked up front", async () => {
  const asked: string[] = [];
  const offline: typeof fetch = (input) => {
    asked.push(new Request(input).url);
    return Promise.reject(new TypeError("network unreachable (test)"));
  };
  const r = new Registries({
    keyFiles: [],
    env: () => undefined,
    insecureHosts: [],
    fetch: offline,
    now: () => 0,
    sleep: () => Promise.resolve(),
    log: quiet,
  });
  r.open("us-docker.pkg.dev/prod/images", "promoter@prod.iam.gserviceaccount.com");
  const err = await r.verifyCredentials().catch((e) => e);
  assert.ok(err instanceof CredentialError, String(err));
  assert.match(err.message, /promoter@prod\.iam\.gserviceaccount\.com/);
  assert.ok(asked.every((u) => !u.includes("us-docker.pkg.dev")), "no registry traffic");
});
