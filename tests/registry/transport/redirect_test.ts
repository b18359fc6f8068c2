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

Deno.test("redirects to another port of the same host drop Authorization", async () => {
  const f = redirecting("https://reg.test:8443/b");
  const h = harness(f, { credentials: creds });
  await (await h.fetch(new Request("https://reg.test/v2/a/blobs/sha256:1"))).text();
  equal(f.requests[2]!.headers.has("authorization"), false);
});

Deno.test("a redirect from https to plain http is refused, never followed", async () => {
  const f = redirecting("http://storage.test/b?sig=1");
  const h = harness(f, { credentials: creds });
  await rejects(
    h.fetch(new Request("https://reg.test/v2/a/blobs/sha256:1")),
    (e) => e instanceof RegistryError && /redirected from https to plain http/.test(e.message),
  );
  equal(f.requests.length, 2, "nothing was sent to the http location");
});

Deno.test("a plain-http registry may redirect reads to https", async () => {
  const f = redirecting("https://storage.test/b");
  const h = harness(f, { credentials: creds, baseUrl: "http://reg.test" });
  equal(await (await h.fetch(new Request("http://reg.test/v2/a/blobs/sha256:1"))).text(), "blob");
  equal(f.requests[2]!.url, "https://storage.test/b");
  equal(f.requests[2]!.headers.has("authorization"), false);
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

Deno.test("the redirect of a write is handed back, never followed, whatever its status", async () => {
  for (const method of ["PUT", "PATCH", "POST", "DELETE"]) {
    for (const status of [301, 302, 303, 307, 308]) {
      const f = scripted([
        () => new Response(null, { status, headers: { location: "/v2/a/manifests/sha256:1" } }),
        () => new Response("must not be reached"),
      ]);
      const h = harness(f, { credentials: creds });
      const res = await h.fetch(
        new Request("https://reg.test/v2/a/blobs/uploads/u1", {
          method,
          body: method === "DELETE" ? null : "abc",
          headers: method === "DELETE" ? {} : { "content-length": "3" },
        }),
      );
      equal(res.status, status, `${method} ${status}`);
      deepEqual(f.requests.map((r) => r.method), [method], `${method} ${status}`);
    }
  }
});

Deno.test("HEAD and GET follow redirects keeping their method and carrying no body", async () => {
  for (const method of ["GET", "HEAD"]) {
    const f = scripted([
      () => new Response(null, { status: 303, headers: { location: "/done" } }),
      () => new Response(null),
    ]);
    const h = harness(f);
    await (await h.fetch(new Request("https://reg.test/v2/a/x", { method }))).body?.cancel();
    deepEqual(f.requests.map((r) => [r.method, new URL(r.url).pathname]), [
      [method, "/v2/a/x"],
      [method, "/done"],
    ]);
  }
});
