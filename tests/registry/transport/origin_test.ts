/**
 * Credentials belong to the registry's origin: requests and redirects that reach any other
 * origin carry none, and a challenge from another origin is never answered.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import type { CredentialProvider } from "../../../src/registry/auth/provider.ts";
import { RegistryError } from "../../../src/registry/errors.ts";
import { harness, zeros } from "./harness.ts";

const SECRET = "pa55-of-reg.test";
const REFRESH = "refresh-token-of-reg.test";

/** Credentials for reg.test: a password, or an identity token. */
function provider(kind: "basic" | "identity"): CredentialProvider & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    basic: (host) => {
      asked.push(host);
      return Promise.resolve(kind === "basic" ? { username: "ci", password: SECRET } : null);
    },
    identityToken: (host) => {
      asked.push(host);
      return Promise.resolve(kind === "identity" ? REFRESH : null);
    },
    describe: () => "test credentials",
  };
}

/** What one request carried. */
interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  body: string;
}

/** A fetch handler answering by origin + path; every request is recorded with its body. */
function hosts(routes: Record<string, (req: Request) => Response>) {
  const seen: Seen[] = [];
  const f = async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    seen.push({
      method: req.method,
      url: req.url,
      authorization: req.headers.get("authorization"),
      body: req.body ? await req.text() : "",
    });
    const route = routes[`${url.origin}${url.pathname}`] ?? routes[url.origin];
    if (!route) throw new TypeError(`connection refused: ${url.origin}`);
    return route(req);
  };
  return {
    fetch: f as typeof fetch,
    seen,
    at: (origin: string) => seen.filter((s) => s.url.startsWith(origin)),
  };
}

const bearer = (realm: string) =>
  new Response(null, { status: 401, headers: { "www-authenticate": `Bearer realm="${realm}"` } });

/** Nothing that went to `origin` carried a credential, in a header, the URL or the body. */
function clean(seen: Seen[]) {
  for (const s of seen) {
    equal(s.authorization, null, `${s.method} ${s.url}`);
    ok(!`${s.url} ${s.body}`.includes(SECRET) && !`${s.url} ${s.body}`.includes(REFRESH));
  }
}

Deno.test("a request to another origin goes out bare and its challenge is not answered", async () => {
  const creds = provider("basic");
  const net = hosts({
    "https://reg.test": (req) =>
      req.headers.has("authorization")
        ? new Response("ok")
        : new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
    "https://evil.test": () =>
      new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
  });
  const h = harness(net.fetch, { credentials: creds });
  equal(await (await h.fetch(new Request("https://reg.test/v2/a/manifests/1"))).text(), "ok");
  const res = await h.fetch(
    new Request("https://evil.test/v2/a/blobs/uploads/u", { method: "PUT" }),
  );
  equal(res.status, 401);
  await res.body?.cancel();
  deepEqual(net.at("https://evil.test").length, 1, "no second attempt with credentials");
  clean(net.at("https://evil.test"));
  ok(creds.asked.every((host) => host === "reg.test"));
});

Deno.test("a read redirected to a host that asks for credentials fails; its realm gets nothing", async () => {
  for (const kind of ["basic", "identity"] as const) {
    const net = hosts({
      "https://reg.test/token": (req) =>
        req.headers.get("authorization") === `Basic ${btoa(`ci:${SECRET}`)}` ||
          (req.method === "POST")
          ? Response.json({ token: "registry-token" })
          : new Response(null, { status: 401 }),
      "https://reg.test": (req) =>
        req.headers.get("authorization") === "Bearer registry-token"
          ? new Response(null, { status: 307, headers: { location: "https://evil.test/blob" } })
          : bearer("https://reg.test/token"),
      "https://evil.test": () => bearer("https://evil.test/token"),
    });
    const h = harness(net.fetch, { credentials: provider(kind) });
    await rejects(
      h.fetch(new Request("https://reg.test/v2/a/blobs/sha256:1"), {
        scopes: ["repository:a:pull"],
      }),
      (e) =>
        e instanceof RegistryError && e.status === 401 &&
        /redirected it to https:\/\/evil\.test, which asked for credentials; cip sends credentials only to https:\/\/reg\.test/
          .test(e.message),
    );
    deepEqual(net.at("https://evil.test").map((s) => s.url), ["https://evil.test/blob"], kind);
    clean(net.at("https://evil.test"));
  }
});

Deno.test("the challenge probe redirected to another origin learns nothing from it", async () => {
  const net = hosts({
    "https://reg.test/v2/": () =>
      new Response(null, { status: 307, headers: { location: "https://evil.test/v2/" } }),
    "https://reg.test": () => new Response(null, { status: 202 }),
    "https://evil.test": () => bearer("https://evil.test/token"),
  });
  const h = harness(net.fetch, { credentials: provider("basic") });
  const res = await h.fetch(
    new Request("https://reg.test/v2/a/blobs/uploads/u", { method: "PATCH", body: zeros(10) }),
  );
  equal(res.status, 202);
  deepEqual(net.at("https://evil.test").map((s) => s.url), ["https://evil.test/v2/"]);
  clean(net.seen);
});

Deno.test("a token realm's redirect of the identity-token POST is not followed", async () => {
  const net = hosts({
    "https://reg.test/token": () =>
      new Response(null, { status: 307, headers: { location: "http://evil.test/token" } }),
    "https://reg.test": () => bearer("https://reg.test/token"),
    "http://evil.test": () => Response.json({ token: "stolen" }),
  });
  const h = harness(net.fetch, { credentials: provider("identity") });
  await rejects(
    h.fetch(new Request("https://reg.test/v2/a/manifests/1"), { scopes: ["repository:a:pull"] }),
    (e) => e instanceof RegistryError && /token server returned 307/.test(e.message),
  );
  deepEqual(net.at("http://evil.test"), []);
  equal(net.seen.filter((s) => s.body.includes(REFRESH)).length, 1, "sent to the realm once");
});

Deno.test("a token realm's redirect of the Basic GET to another host carries no password", async () => {
  const net = hosts({
    "https://reg.test/token": () =>
      new Response(null, { status: 302, headers: { location: "https://evil.test/token" } }),
    "https://reg.test": () => bearer("https://reg.test/token"),
    "https://evil.test": () =>
      new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } }),
  });
  const h = harness(net.fetch, { credentials: provider("basic") });
  await rejects(
    h.fetch(new Request("https://reg.test/v2/a/manifests/1"), { scopes: ["repository:a:pull"] }),
    (e) => e instanceof RegistryError && /token server returned 401/.test(e.message),
  );
  equal(net.at("https://evil.test").length, 1);
  clean(net.at("https://evil.test"));
});

Deno.test("a plain-http realm of an https registry gets no credentials, from any source", async () => {
  for (const kind of ["basic", "identity"] as const) {
    const net = hosts({
      "https://reg.test": () => bearer("http://reg.test/token"),
      "http://reg.test": () => Response.json({ token: "t" }),
    });
    const h = harness(net.fetch, { credentials: provider(kind) });
    await rejects(
      h.fetch(new Request("https://reg.test/v2/a/manifests/1"), { scopes: ["repository:a:pull"] }),
      (e) => e instanceof RegistryError && /never sent to a plain-http realm/.test(e.message),
    );
    deepEqual(net.at("http://reg.test"), [], kind);
  }
});
