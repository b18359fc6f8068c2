import { deepEqual, equal, rejects } from "node:assert/strict";
import type { CredentialProvider } from "../../../src/registry/auth/provider.ts";
import { RegistryError } from "../../../src/registry/errors.ts";
import { harness, scripted } from "./harness.ts";

const creds: CredentialProvider = {
  basic: () => Promise.resolve({ username: "u", password: "p" }),
  describe: () => "test",
};

/** A registry that wants Basic and redirects blob GETs to `target`. */
function redirecting(target: string, status = 307) {
  return scripted([
    () => new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
    () => new Response(null, { status, headers: { location: target } }),
    () => new Response("blob"),
  ]);
}

Deno.test("redirects to another host drop Authorization", async () => {
  const f = redirecting("https://storage.test/b?sig=1");
  const h = harness(f, { credentials: creds });
  equal(await (await h.fetch(new Request("https://reg.test/v2/a/blobs/sha256:1"))).text(), "blob");
  deepEqual(f.requests.map((r) => [r.url, r.headers.has("authorization")]), [
    ["https://reg.test/v2/a/blobs/sha256:1", false],
    ["https://reg.test/v2/a/blobs/sha256:1", true],
    ["https://storage.test/b?sig=1", false],
  ]);
});

Deno.test("redirects to another port or scheme of the same host drop Authorization", async () => {
  for (const target of ["https://reg.test:8443/b", "http://reg.test/b"]) {
    const f = redirecting(target);
    const h = harness(f, { credentials: creds });
    await (await h.fetch(new Request("https://reg.test/v2/a/blobs/sha256:1"))).text();
    equal(f.requests[2]!.headers.has("authorization"), false, target);
  }
});

Deno.test("redirects within the origin keep Authorization and resolve relative locations", async () => {
  const f = redirecting("/other/place", 302);
  const h = harness(f, { credentials: creds });
  await (await h.fetch(new Request("https://reg.test/v2/a/blobs/sha256:1"))).text();
  equal(f.requests[2]!.url, "https://reg.test/other/place");
  equal(f.requests[2]!.headers.has("authorization"), true);
});

Deno.test("redirects stop after five hops with an error", async () => {
  let n = 0;
  const h = harness(() => {
    n++;
    return Promise.resolve(new Response(null, { status: 302, headers: { location: `/hop${n}` } }));
  });
  await rejects(
    h.fetch(new Request("https://reg.test/v2/a/blobs/sha256:1")),
    (e) => e instanceof RegistryError && /more than 5 redirects/.test(e.message),
  );
  equal(n, 6);
});

Deno.test("a 303 continues as a GET without the body", async () => {
  const f = scripted([
    () => new Response(null, { status: 303, headers: { location: "/done" } }),
    () => new Response("ok"),
  ]);
  const h = harness(f);
  await (await h.fetch(
    new Request("https://reg.test/v2/a/x", {
      method: "PUT",
      body: "abc",
      headers: { "content-length": "3" },
    }),
  )).text();
  deepEqual(f.requests.map((r) => r.method), ["PUT", "GET"]);
  equal(f.requests[1]!.body, null);
});
