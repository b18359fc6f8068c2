import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ANONYMOUS, type CredentialProvider } from "../../../src/registry/auth/provider.ts";
import { RegistryError } from "../../../src/registry/errors.ts";
import type { Outgoing } from "../../../src/registry/transport/outgoing.ts";
import { basicAuthorization, requestToken } from "../../../src/registry/transport/token_request.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");

/** Runs requestToken against one canned answer; returns the result and the request sent. */
async function ask(answer: Response, over: Partial<Parameters<typeof requestToken>[1]> = {}) {
  const sent: Outgoing[] = [];
  const result = await requestToken((o) => {
    sent.push(o);
    return Promise.resolve(answer);
  }, {
    realm: "https://auth.test/token",
    service: "reg.test",
    scopes: ["repository:a:pull,push", "repository:b:pull"],
    host: "reg.test",
    registryProtocol: "https:",
    credentials: ANONYMOUS,
    now: () => NOW,
    ...over,
  });
  return { result, sent };
}

Deno.test("requestToken() asks for every scope in one GET, in the order given", async () => {
  const { sent } = await ask(Response.json({ token: "t" }));
  equal(sent.length, 1);
  equal(sent[0]!.method, "GET");
  deepEqual(sent[0]!.url.searchParams.getAll("scope"), [
    "repository:a:pull,push",
    "repository:b:pull",
  ]);
  equal(sent[0]!.url.searchParams.get("service"), "reg.test");
  equal(sent[0]!.headers.has("authorization"), false);
});

Deno.test("requestToken() sends the provider's Basic credentials to the realm", async () => {
  const creds: CredentialProvider = {
    basic: () => Promise.resolve({ username: "oauth2accesstoken", password: "ya29.x" }),
    describe: () => "google",
  };
  const { sent } = await ask(Response.json({ token: "t" }), { credentials: creds });
  equal(sent[0]!.headers.get("authorization"), basicAuthorization("oauth2accesstoken", "ya29.x"));
});

Deno.test("requestToken() accepts access_token alone and defaults the lifetime to 60 s", async () => {
  const { result } = await ask(Response.json({ access_token: "only-access" }));
  equal(result.token.value, "only-access");
  equal(result.token.expiresAt, NOW + 60_000);
  equal(result.lifetimeMs, 60_000);
});

Deno.test("requestToken() counts the lifetime from a plausible issued_at", async () => {
  const issued = new Date(NOW - 100_000).toISOString();
  const { result } = await ask(Response.json({ token: "t", expires_in: 300, issued_at: issued }));
  equal(result.token.expiresAt, NOW - 100_000 + 300_000);
  const future = new Date(NOW + 100_000).toISOString();
  const r2 = await ask(Response.json({ token: "t", expires_in: 300, issued_at: future }));
  equal(r2.result.token.expiresAt, NOW + 300_000);
});

Deno.test("requestToken() fails clearly on refusals, non-JSON and answers without a token", async () => {
  await rejects(
    ask(Response.json({ errors: [{ code: "DENIED" }] }, { status: 403 })),
    (e) =>
      e instanceof RegistryError && e.status === 403 && e.codes[0] === "DENIED" && !e.temporary,
  );
  await rejects(
    ask(new Response("x", { status: 503 })),
    (e) => e instanceof RegistryError && e.temporary,
  );
  await rejects(
    ask(new Response("<html>")),
    (e) => e instanceof RegistryError && /not JSON/.test(e.message),
  );
  await rejects(
    ask(Response.json({ nothing: 1 })),
    (e) => e instanceof RegistryError && /no token/.test(e.message),
  );
});

Deno.test("requestToken() never sends credentials to a plain-http realm of an https registry", async () => {
  const creds: CredentialProvider = {
    basic: () => Promise.resolve({ username: "u", password: "p" }),
    describe: () => "c",
  };
  await rejects(
    ask(Response.json({ token: "t" }), { credentials: creds, realm: "http://auth.test/token" }),
    (e) => e instanceof RegistryError && /plain-http realm/.test(e.message),
  );
  // Anonymous token requests may use it; so may an http (loopback/insecure) registry.
  await ask(Response.json({ token: "t" }), { realm: "http://auth.test/token" });
  await ask(Response.json({ token: "t" }), {
    credentials: creds,
    realm: "http://auth.test/token",
    registryProtocol: "http:",
  });
});

Deno.test("basicAuthorization() encodes user:password as UTF-8 base64", () => {
  equal(basicAuthorization("u", "p:ä"), `Basic ${btoa("u:p:\xc3\xa4")}`);
  ok(basicAuthorization("a", "b").startsWith("Basic "));
});
