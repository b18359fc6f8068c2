import { equal, ok } from "node:assert/strict";
import { Logger } from "../../../src/log.ts";
import { CredentialCache, credentialsFor, verify } from "../../../src/registry/auth/mod.ts";
import {
  createTransport,
  HostLimiters,
  TransportStats,
} from "../../../src/registry/transport/mod.ts";
import { FakeClock } from "../../fakes/clock.ts";
import {
  FAKE_IAM_URL,
  FAKE_METADATA_HOST,
  FAKE_TOKEN_URI,
  FakeGoogle,
} from "../../fakes/google.ts";
import { TokenRegistry } from "../../fakes/token_registry.ts";

const SA = "promoter@prod.iam.gserviceaccount.com";

Deno.test("no secret reaches a log line, error message or stats snapshot, even at debug level", async () => {
  const clock = new FakeClock();
  const google = new FakeGoogle(clock.now);
  const password = "docker-password-0123456789";
  const files: Record<string, string> = {
    "/k/other.json": await google.makeKey("ci@ci.iam.gserviceaccount.com"),
    "/k/prod.json": await google.makeKey(SA),
    "/d/config.json": JSON.stringify({
      auths: { "plain.test": { auth: btoa(`robot:${password}`) } },
    }),
  };
  google.allowImpersonation("ci@ci.iam.gserviceaccount.com", "imp@x.iam.gserviceaccount.com");
  const env: Record<string, string> = {
    DOCKER_CONFIG: "/d",
    GOOGLE_APPLICATION_CREDENTIALS: "/k/other.json",
    GCE_METADATA_HOST: FAKE_METADATA_HOST,
  };
  const lines: string[] = [];
  const log = new Logger("debug", (t) => lines.push(t), false, clock.now);
  const gar = new TokenRegistry({
    origin: "https://us-docker.pkg.dev",
    noService: true,
    users: (u, p) => u === "oauth2accesstoken" && google.accountOf(p) === SA,
  });
  const plain = new TokenRegistry({
    origin: "https://plain.test",
    users: { robot: "something-else" },
  });
  const handler = (input: string | URL | Request, init?: RequestInit) => {
    const host = new URL(input instanceof Request ? input.url : String(input)).host;
    if (host === "us-docker.pkg.dev") return gar.fetch(input, init);
    if (host === "plain.test") return plain.fetch(input, init);
    return google.fetch(input, init);
  };
  const cache = new CredentialCache();
  const base = {
    keyFiles: ["/k/other.json", "/k/prod.json"],
    env: (n: string) => env[n],
    fetch: handler,
    now: clock.now,
    log,
    readFile: (p: string) =>
      files[p] !== undefined
        ? Promise.resolve(files[p]!)
        : Promise.reject(new Deno.errors.NotFound(p)),
    sleep: () => Promise.resolve(),
    iamCredentialsUrl: FAKE_IAM_URL,
    googleTokenUrl: FAKE_TOKEN_URI,
    cache,
  };
  const stats = new TransportStats();
  const limiters = new HostLimiters({ requestsPerSecond: () => 0, maxInFlight: 4 });
  const transport = (host: string, serviceAccount?: string) =>
    createTransport({
      host,
      baseUrl: `https://${host}`,
      credentials: credentialsFor(host, { ...base, ...(serviceAccount ? { serviceAccount } : {}) }),
      limiter: limiters.for(host),
      stats,
      log,
      fetch: handler,
      now: clock.now,
      sleep: () => Promise.resolve(),
    });
  const errors: string[] = [];
  const attempt = async (p: Promise<Response>) => {
    try {
      const r = await p;
      await r.body?.cancel();
      return r.status;
    } catch (e) {
      for (let c: unknown = e; c instanceof Error; c = c.cause) {
        errors.push(c.message, String(c.stack));
      }
      return -1;
    }
  };

  // Success through Google credentials.
  const g = transport("us-docker.pkg.dev", SA);
  equal(
    await attempt(
      g(new Request("https://us-docker.pkg.dev/v2/p/a/manifests/1"), {
        scopes: ["repository:p/a:pull"],
      }),
    ),
    200,
  );
  // Failures: wrong docker password, an account nobody can get a token for, a refused push.
  equal(
    await attempt(transport("plain.test")(new Request("https://plain.test/v2/a/manifests/1"))),
    -1,
  );
  await verify(
    credentialsFor("gcr.io", { ...base, serviceAccount: "imp@x.iam.gserviceaccount.com" }),
  );
  try {
    await verify(
      credentialsFor("gcr.io", {
        ...base,
        serviceAccount: "nobody@x.iam.gserviceaccount.com",
        keyFiles: [],
      }),
    );
  } catch (e) {
    errors.push((e as Error).message);
  }

  const text = [lines.join(""), errors.join("\n"), JSON.stringify(stats.snapshot())].join("\n");
  const secrets = [
    ...google.secrets,
    ...gar.issued,
    ...plain.issued,
    password,
    btoa(`robot:${password}`),
  ];
  ok(secrets.length > 8, "the test saw secrets to look for");
  ok(errors.length >= 2, "the failures happened");
  ok(lines.length > 8, "debug logging happened");
  for (const s of secrets) ok(!text.includes(s), `a secret leaked: ${s.slice(0, 12)}...`);
});
