import { equal, ok, rejects, throws } from "node:assert/strict";
import {
  githubActionsToken,
  SIGSTORE_AUDIENCE,
  tokenClaims,
  TokenError,
  tokenFromEnv,
  tokenFromFile,
  tokenFromProvider,
  tokenFromValue,
} from "../../src/sigstore/mod.ts";
import { FakeSigstore, unsignedJwt } from "../fakes/sigstore.ts";

const NOW = 1_700_000_000_000;

function tokenError(source: string, reason: string) {
  return (e: unknown) => {
    if (!(e instanceof TokenError)) throw e;
    equal(e.source, source);
    equal(e.message, `Cannot get an identity token from ${source}: ${reason}`);
    return true;
  };
}

Deno.test("tokenFromEnv() reads SIGSTORE_ID_TOKEN, trimmed, and says when it is not set", async () => {
  equal(await tokenFromEnv(undefined, () => " a.b.c\n").token(SIGSTORE_AUDIENCE), "a.b.c");
  await rejects(
    tokenFromEnv(undefined, () => undefined).token(SIGSTORE_AUDIENCE),
    tokenError("SIGSTORE_ID_TOKEN", "it is not set"),
  );
  await rejects(
    tokenFromEnv("X", () => "  ").token(SIGSTORE_AUDIENCE),
    tokenError("X", "it is empty"),
  );
});

Deno.test("tokenFromFile() reads the file each time and names it when it cannot", async () => {
  let content = "first.token.x";
  const source = tokenFromFile("/run/token", (p) => {
    if (p !== "/run/token") return Promise.reject(new Deno.errors.NotFound(p));
    return Promise.resolve(content);
  });
  equal(await source.token(SIGSTORE_AUDIENCE), "first.token.x");
  content = "second.token.x";
  equal(await source.token(SIGSTORE_AUDIENCE), "second.token.x");
  const missing = tokenFromFile("/nope", () => Promise.reject(new Deno.errors.NotFound("/nope")));
  await rejects(
    missing.token(SIGSTORE_AUDIENCE),
    tokenError("the file /nope", "it cannot be read (NotFound)"),
  );
});

Deno.test("tokenFromProvider() asks the provider for the audience and wraps its failure", async () => {
  const audiences: string[] = [];
  const source = tokenFromProvider(
    "Google service account x@p.iam.gserviceaccount.com",
    (audience) => {
      audiences.push(audience);
      return Promise.resolve("h.p.s");
    },
  );
  equal(await source.token("sigstore"), "h.p.s");
  equal(audiences[0], "sigstore");
  const failing = tokenFromProvider("a provider", () => Promise.reject(new Error("403 from IAM")));
  await rejects(failing.token("sigstore"), (e) => {
    ok(e instanceof TokenError && e.cause instanceof Error && !e.temporary);
    equal(e.message, "Cannot get an identity token from a provider: 403 from IAM");
    return true;
  });
  const busy = Object.assign(new Error("503 from IAM"), { temporary: true });
  await rejects(
    tokenFromProvider("a provider", () => Promise.reject(busy)).token("sigstore"),
    (e) => e instanceof TokenError && e.temporary,
  );
  await rejects(
    tokenFromProvider("a provider", () => Promise.resolve(" ")).token("sigstore"),
    tokenError("a provider", "it is empty"),
  );
  equal(await tokenFromValue("v", "t.o.k").token("sigstore"), "t.o.k");
});

Deno.test("githubActionsToken() asks the runner's endpoint with its bearer token for the sigstore audience", async () => {
  const fake = await FakeSigstore.start();
  try {
    const env = fake.githubEnv();
    const token = await githubActionsToken({ env: (n) => env[n] }).token(SIGSTORE_AUDIENCE);
    equal(token, fake.issuedTokens[0]);
    const request = fake.requests.find((r) => r.service === "github")!;
    equal(request.headers.get("authorization"), `Bearer ${fake.githubRequestToken}`);
    equal(tokenClaims(token, "GitHub", Date.now()).subject, String(fake.githubClaims.sub));
    equal(
      JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).aud,
      "sigstore",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("githubActionsToken() says what is missing or what the endpoint answered", async () => {
  const fake = await FakeSigstore.start();
  try {
    await rejects(
      githubActionsToken({ env: () => undefined }).token(SIGSTORE_AUDIENCE),
      tokenError(
        "GitHub Actions OIDC",
        "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set (the workflow needs `permissions: id-token: write`)",
      ),
    );
    const env = { ...fake.githubEnv(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: "ghs_wrong_request_token" };
    await rejects(
      githubActionsToken({ env: (n) => env[n as keyof typeof env] }).token(SIGSTORE_AUDIENCE),
      tokenError("GitHub Actions OIDC", "the endpoint answered 401"),
    );
  } finally {
    await fake.close();
  }
});

Deno.test("tokenClaims() takes the subject from sub, or from a verified e-mail address", () => {
  const claims = tokenClaims(
    unsignedJwt({ iss: "https://i", sub: "s", exp: NOW / 1000 + 60 }),
    "t",
    NOW,
  );
  equal(claims.subject, "s");
  equal(claims.issuer, "https://i");
  equal(claims.expiresAt, NOW + 60_000);
  const email = unsignedJwt({
    iss: "https://accounts.google.com",
    sub: "1",
    email: "a@b.c",
    email_verified: true,
  });
  equal(tokenClaims(email, "t", NOW).subject, "a@b.c");
});

const BAD_TOKENS: [string, string, string][] = [
  ["not a JWT", "opaque-token-value-123456", "it is not a JSON Web Token"],
  ["payload not JSON", "aaaaaaaa.bm90IGpzb24.cccccccc", "it is not a JSON Web Token"],
  ["no issuer", unsignedJwt({ sub: "s" }), "it names no issuer"],
  ["no subject", unsignedJwt({ iss: "https://i" }), "it names no subject"],
  [
    "unverified e-mail",
    unsignedJwt({ iss: "https://i", sub: "s", email: "a@b.c" }),
    "its e-mail address is not verified by the issuer",
  ],
  [
    "expired",
    unsignedJwt({ iss: "https://i", sub: "s", exp: NOW / 1000 - 1 }),
    "it expired at 2023-11-14T22:13:19.000Z",
  ],
];

for (const [name, token, reason] of BAD_TOKENS) {
  Deno.test(`tokenClaims() refuses a token: ${name}, without quoting it`, () => {
    throws(() => tokenClaims(token, "SIGSTORE_ID_TOKEN", NOW), (e) => {
      tokenError("SIGSTORE_ID_TOKEN", reason)(e);
      for (const part of token.split(".").filter((p) => p.length >= 8)) {
        ok(!Deno.inspect(e).includes(part));
      }
      return true;
    });
  });
}
