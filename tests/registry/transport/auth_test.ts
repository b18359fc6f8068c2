import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import type { CredentialProvider } from "../../../src/registry/auth/provider.ts";
import { RegistryError } from "../../../src/registry/errors.ts";
import { FakeClock } from "../../fakes/clock.ts";
import { TokenRegistry } from "../../fakes/token_registry.ts";
import { harness, zeros } from "./harness.ts";

const R = "https://reg.test";

function basicProvider(username: string, password: string): CredentialProvider & { calls: number } {
  const p = {
    calls: 0,
    basic() {
      p.calls++;
      return Promise.resolve({ username, password });
    },
    describe: () => `test credentials for ${username}`,
  };
  return p;
}

Deno.test("auth answers a Bearer challenge with one token request for all scopes, push first", async () => {
  const reg = new TokenRegistry({ users: { alice: "pw" } });
  const h = harness(reg.fetch, { credentials: basicProvider("alice", "pw") });
  const res = await h.fetch(new Request(`${R}/v2/dst/a/blobs/uploads/`, { method: "POST" }), {
    scopes: ["repository:src/a:pull", "repository:dst/a:pull,push"],
  });
  equal(res.status, 200);
  await res.body?.cancel();
  equal(reg.tokenRequests.length, 1);
  deepEqual(reg.tokenRequests[0]!.searchParams.getAll("scope"), [
    "repository:dst/a:pull,push",
    "repository:src/a:pull",
  ]);
  equal(reg.tokenRequests[0]!.searchParams.get("service"), "reg.test");
  // 401, token, retry: three requests; the retry carried the token.
  deepEqual(reg.seen.map((s) => s.method), ["POST", "GET", "POST"]);
  ok(reg.seen[2]!.authorization?.startsWith("Bearer regtoken-"));
  ok(reg.seen[1]!.authorization?.startsWith("Basic "));
});

Deno.test("auth sends a cached token up front once the host's challenge is known", async () => {
  const reg = new TokenRegistry({ anonymousPull: true });
  const h = harness(reg.fetch);
  for (let i = 0; i < 3; i++) {
    const res = await h.fetch(new Request(`${R}/v2/a/manifests/v${i}`), {
      scopes: ["repository:a:pull"],
    });
    equal(res.status, 200);
    await res.text();
  }
  equal(reg.tokenRequests.length, 1);
  // One 401 at the start, then every request went out with the token.
  equal(reg.seen.filter((s) => s.url.pathname.startsWith("/v2/")).length, 4);
});

Deno.test("auth fetches a token before a new repository's first request (no extra 401)", async () => {
  const reg = new TokenRegistry({ anonymousPull: true });
  const h = harness(reg.fetch);
  await (await h.fetch(new Request(`${R}/v2/a/manifests/1`), { scopes: ["repository:a:pull"] }))
    .text();
  const before = reg.seen.length;
  await (await h.fetch(new Request(`${R}/v2/b/manifests/1`), { scopes: ["repository:b:pull"] }))
    .text();
  deepEqual(reg.seen.slice(before).map((s) => s.url.pathname), ["/token", "/v2/b/manifests/1"]);
});

Deno.test("auth shares one in-flight token request among concurrent callers", async () => {
  const reg = new TokenRegistry({ anonymousPull: true });
  const h = harness(reg.fetch);
  await (await h.fetch(new Request(`${R}/v2/`))).body?.cancel();
  const tokensBefore = reg.tokenRequests.length;
  const all = await Promise.all(
    Array.from(
      { length: 10 },
      (_, i) => h.fetch(new Request(`${R}/v2/a/manifests/${i}`), { scopes: ["repository:a:pull"] }),
    ),
  );
  for (const r of all) {
    equal(r.status, 200);
    await r.text();
  }
  equal(reg.tokenRequests.length - tokensBefore, 1);
});

Deno.test("auth gets a new token when the cached one nears expiry", async () => {
  const clock = new FakeClock();
  const reg = new TokenRegistry({ anonymousPull: true, expiresIn: 300, now: clock.now });
  const h = harness(reg.fetch, { clock });
  const get = async () => {
    const r = await h.fetch(new Request(`${R}/v2/a/manifests/1`), {
      scopes: ["repository:a:pull"],
    });
    equal(r.status, 200);
    await r.text();
  };
  await get();
  await clock.advance(200_000);
  await get();
  equal(reg.tokenRequests.length, 1);
  await clock.advance(75_000); // 275 s: inside the last 30 s of the token's life
  await get();
  equal(reg.tokenRequests.length, 2);
  // The renewal went out before the request: no 401 was met.
  equal(reg.seen.at(-1)!.url.pathname, "/v2/a/manifests/1");
  equal(reg.seen.at(-2)!.url.pathname, "/token");
});

Deno.test("auth re-authenticates once when a 401 names a scope the token lacks", async () => {
  const reg = new TokenRegistry({ users: { u: "p" } });
  const h = harness(reg.fetch, { credentials: basicProvider("u", "p") });
  await (await h.fetch(new Request(`${R}/v2/`))).body?.cancel();
  // No hint: the cached scope-less token is sent, refused for the repository, and replaced.
  const r = await h.fetch(new Request(`${R}/v2/x/manifests/1`));
  equal(r.status, 200);
  await r.text();
  deepEqual(reg.tokenRequests.at(-1)!.searchParams.getAll("scope"), ["repository:x:pull"]);
});

Deno.test("auth re-authenticates once when a cached token was revoked", async () => {
  const reg = new TokenRegistry({ anonymousPull: true });
  const h = harness(reg.fetch);
  const hint = { scopes: ["repository:a:pull"] };
  await (await h.fetch(new Request(`${R}/v2/a/manifests/1`), hint)).text();
  reg.revokeAll();
  const r = await h.fetch(new Request(`${R}/v2/a/manifests/2`), hint);
  equal(r.status, 200);
  await r.text();
  equal(reg.tokenRequests.length, 2);
});

Deno.test("auth throws a 401 RegistryError when a fresh token is refused", async () => {
  const reg = new TokenRegistry({ anonymousPull: true });
  const h = harness(reg.fetch);
  // Anonymous tokens carry pull only: the push is refused even with a fresh token.
  const err = await rejects(
    h.fetch(
      new Request(`${R}/v2/a/manifests/1`, {
        method: "PUT",
        body: "x",
        headers: { "content-length": "1" },
      }),
      {
        scopes: ["repository:a:pull,push"],
      },
    ),
    (e) => e instanceof RegistryError && e.status === 401 && e.codes.includes("UNAUTHORIZED"),
  );
  void err;
  equal(reg.seen.filter((s) => s.method === "PUT").length, 2);
});

Deno.test("auth reports wrong credentials as a non-temporary error naming the credentials", async () => {
  const reg = new TokenRegistry({ users: { u: "right" } });
  const h = harness(reg.fetch, { credentials: basicProvider("u", "wrong") });
  await rejects(h.fetch(new Request(`${R}/v2/a/manifests/1`)), (e) => {
    ok(e instanceof RegistryError);
    equal(e.status, 401);
    equal(e.temporary, false);
    ok(e.message.includes("test credentials for u"), e.message);
    ok(!e.message.includes("wrong"), e.message);
    return true;
  });
});

Deno.test("auth answers a Basic challenge with the provider's credentials and keeps sending them", async () => {
  let n = 0;
  const want = "Basic " + btoa("u:p");
  const handler = (input: string | URL | Request, init?: RequestInit) => {
    n++;
    const req = new Request(input, init);
    if (req.headers.get("authorization") !== want) {
      return Promise.resolve(
        new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
      );
    }
    return Promise.resolve(new Response("ok"));
  };
  const h = harness(handler, { credentials: basicProvider("u", "p") });
  equal(await (await h.fetch(new Request(`${R}/v2/`))).text(), "ok");
  equal(await (await h.fetch(new Request(`${R}/v2/a/tags/list`))).text(), "ok");
  equal(n, 3);
});

Deno.test("auth POSTs an identity token to the realm as a refresh-token grant", async () => {
  const reg = new TokenRegistry({ identityTokens: { "idt-secret": "robot" } });
  const provider: CredentialProvider = {
    basic: () => Promise.resolve(null),
    identityToken: () => Promise.resolve("idt-secret"),
    describe: () => "identity token",
  };
  const h = harness(reg.fetch, { credentials: provider });
  const r = await h.fetch(new Request(`${R}/v2/a/manifests/1`), { scopes: ["repository:a:pull"] });
  equal(r.status, 200);
  await r.text();
  const form = reg.tokenForms[0]!;
  equal(form.get("grant_type"), "refresh_token");
  equal(form.get("scope"), "repository:a:pull");
  equal(form.get("service"), "reg.test");
  equal(reg.seen.find((s) => s.url.pathname === "/token")?.method, "POST");
  ok(!reg.seen.some((s) => s.url.search.includes("idt-secret")));
});

Deno.test("auth learns the challenge with GET /v2/ before sending a stream body", async () => {
  const reg = new TokenRegistry({ users: { u: "p" } });
  const h = harness(reg.fetch, { credentials: basicProvider("u", "p") });
  const r = await h.fetch(
    new Request(`${R}/v2/a/blobs/uploads/x`, { method: "PATCH", body: zeros(5000) }),
    { scopes: ["repository:a:pull,push"] },
  );
  equal(r.status, 200);
  await r.text();
  deepEqual(reg.seen.map((s) => `${s.method} ${s.url.pathname}`), [
    "GET /v2/",
    "GET /token",
    "PATCH /v2/a/blobs/uploads/x",
  ]);
  equal(reg.seen[2]!.bodyBytes, 5000);
});

Deno.test("auth turns a 401 to a stream body into a temporary error, and the retry works", async () => {
  const reg = new TokenRegistry({ users: { u: "p" } });
  const h = harness(reg.fetch, { credentials: basicProvider("u", "p") });
  const hint = { scopes: ["repository:a:pull,push"] };
  await (await h.fetch(new Request(`${R}/v2/a/manifests/1`), hint)).text();
  reg.revokeAll();
  const patch = () =>
    h.fetch(new Request(`${R}/v2/a/blobs/uploads/x`, { method: "PATCH", body: zeros(10) }), hint);
  await rejects(patch(), (e) => e instanceof RegistryError && e.temporary && e.status === 401);
  const r = await patch();
  equal(r.status, 200);
  await r.text();
});

Deno.test("auth shares one GET /v2/ among concurrent first uploads to a host", async () => {
  const reg = new TokenRegistry({ users: { u: "p" } });
  const h = harness(reg.fetch, { credentials: basicProvider("u", "p") });
  const all = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      h.fetch(new Request(`${R}/v2/a/blobs/uploads/${i}`, { method: "PATCH", body: zeros(10) }), {
        scopes: ["repository:a:pull,push"],
      })
    ),
  );
  for (const r of all) {
    equal(r.status, 200);
    await r.text();
  }
  equal(reg.seen.filter((s) => s.url.pathname === "/v2/").length, 1);
  equal(reg.tokenRequests.length, 1);
});
