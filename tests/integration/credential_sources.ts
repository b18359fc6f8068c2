/**
 * Every place `cip` takes credentials from, as a test can set it up for a `cip` subprocess:
 * docker's config.json (a password, an identity token), a credential helper, a Google
 * service-account key file and the metadata server. Each says which token requests it makes
 * valid (for a HostileServer's gate) and which secrets must never reach anyone else.
 */
import { FAKE_IAM_URL, FAKE_METADATA_HOST, FakeGoogle } from "../fakes/google.ts";
import type { ConnectProxy } from "./connect_proxy.ts";
import type { LocalCa } from "./local_ca.ts";
import type { TokenCheck } from "./hostile_server.ts";

/** The service account the Google sources act as. */
export const SA = "promoter@prod.iam.gserviceaccount.com";

/** What a run needs for one source: environment, flags, and the manifests' service account. */
export interface SourceSetup {
  env: Record<string, string>;
  flags: string[];
  serviceAccount?: string;
}

/** One credential source. */
export interface CredentialSource {
  name: string;
  /** Writes what the source needs into `dir`, with credentials for `hosts`. */
  setup(dir: string, hosts: string[]): Promise<SourceSetup>;
  /** Whether a token request carries this source's credentials. */
  valid: TokenCheck;
  /** Every secret of the source (passwords, tokens, keys, assertions) known so far. */
  secrets(): string[];
}

/** The Google fakes as https (token endpoint) and http (metadata server) services. */
export interface GoogleServices {
  google: FakeGoogle;
  /** `127.0.0.1:PORT` of the metadata server, for GCE_METADATA_HOST. */
  metadataHost: string;
  stop(): Promise<void>;
}

/** The host of Google's IAM credentials API, which `cip` always calls by this name. */
export const IAM_HOST = "iamcredentials.googleapis.com";

/** The names the local CA's certificate must hold for startGoogle's https services. */
export const GOOGLE_TLS_NAMES = ["oauth2.fake.test", IAM_HOST];

/**
 * Serves FakeGoogle's token endpoint as https://oauth2.fake.test, its IAM credentials API as
 * https://iamcredentials.googleapis.com (both through the CONNECT proxy to one server on
 * 127.0.0.1, with a certificate for GOOGLE_TLS_NAMES) and its metadata server.
 */
export function startGoogle(ca: LocalCa, proxy: ConnectProxy): GoogleServices {
  const google = new FakeGoogle();
  google.metadataAccount = SA;
  const token = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: ca.cert, key: ca.key, onListen() {} },
    (req) => {
      const url = new URL(req.url);
      if (url.hostname !== IAM_HOST) return google.fetch(req);
      return google.fetch(new Request(`${FAKE_IAM_URL}${url.pathname}${url.search}`, req));
    },
  );
  proxy.route("oauth2.fake.test:443", { hostname: "127.0.0.1", port: token.addr.port });
  proxy.route(`${IAM_HOST}:443`, { hostname: "127.0.0.1", port: token.addr.port });
  const metadata = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    return google.fetch(
      new Request(`http://${FAKE_METADATA_HOST}${url.pathname}${url.search}`, req),
    );
  });
  return {
    google,
    metadataHost: `127.0.0.1:${metadata.addr.port}`,
    async stop() {
      await token.shutdown();
      await metadata.shutdown();
    },
  };
}

const PASSWORD = "pw-of-the-registry-7f3a";
const REFRESH = "refresh-token-of-the-registry-91c2";
const HELPER_SECRET = "helper-secret-of-the-registry-5d0e";

function basicIs(req: Request, user: string, password: string): boolean {
  return req.headers.get("authorization") === `Basic ${btoa(`${user}:${password}`)}`;
}

async function dockerConfig(dir: string, config: unknown): Promise<string> {
  const d = `${dir}/docker`;
  await Deno.mkdir(d, { recursive: true });
  await Deno.writeTextFile(`${d}/config.json`, JSON.stringify(config));
  return d;
}

/** The five sources; the Google ones share `g`. */
export function credentialSources(g: GoogleServices): CredentialSource[] {
  const noGoogle = { GCE_METADATA_HOST: "127.0.0.1:1" };
  const googleValid: TokenCheck = (req) => {
    const m = /^Basic (.+)$/.exec(req.headers.get("authorization") ?? "");
    if (!m) return false;
    const [user, token] = atob(m[1]!).split(":");
    return user === "oauth2accesstoken" && g.google.accountOf(token ?? "") === SA;
  };
  return [
    {
      name: "a password in docker's config.json",
      setup: async (dir, hosts) => ({
        env: {
          ...noGoogle,
          DOCKER_CONFIG: await dockerConfig(dir, {
            auths: Object.fromEntries(hosts.map((h) => [h, { auth: btoa(`ci:${PASSWORD}`) }])),
          }),
        },
        flags: [],
      }),
      valid: (req) => basicIs(req, "ci", PASSWORD),
      secrets: () => [PASSWORD, btoa(`ci:${PASSWORD}`)],
    },
    {
      name: "an identity token in docker's config.json",
      setup: async (dir, hosts) => ({
        env: {
          ...noGoogle,
          DOCKER_CONFIG: await dockerConfig(dir, {
            auths: Object.fromEntries(hosts.map((h) => [h, { identitytoken: REFRESH }])),
          }),
        },
        flags: [],
      }),
      valid: (req, body) =>
        req.method === "POST" && new URLSearchParams(body).get("refresh_token") === REFRESH,
      secrets: () => [REFRESH],
    },
    {
      name: "a docker credential helper",
      setup: async (dir, hosts) => {
        await Deno.mkdir(`${dir}/bin`, { recursive: true });
        const helper = `${dir}/bin/docker-credential-ciptest`;
        await Deno.writeTextFile(
          helper,
          `#!/bin/sh\ncat >/dev/null\necho '{"Username":"helper","Secret":"${HELPER_SECRET}"}'\n`,
        );
        await Deno.chmod(helper, 0o755);
        return {
          env: {
            ...noGoogle,
            PATH: `${dir}/bin:${Deno.env.get("PATH") ?? ""}`,
            DOCKER_CONFIG: await dockerConfig(dir, {
              credHelpers: Object.fromEntries(hosts.map((h) => [h, "ciptest"])),
            }),
          },
          flags: [],
        };
      },
      valid: (req) => basicIs(req, "helper", HELPER_SECRET),
      secrets: () => [HELPER_SECRET, btoa(`helper:${HELPER_SECRET}`)],
    },
    {
      name: "a Google service-account key in --key-files",
      setup: async (dir) => {
        await Deno.writeTextFile(`${dir}/key.json`, await g.google.makeKey(SA));
        return { env: noGoogle, flags: [`--key-files=${dir}/key.json`], serviceAccount: SA };
      },
      valid: googleValid,
      secrets: () => g.google.secrets,
    },
    {
      name: "the Google metadata server",
      setup: () =>
        Promise.resolve({
          env: { GCE_METADATA_HOST: g.metadataHost },
          flags: [],
          serviceAccount: SA,
        }),
      valid: googleValid,
      secrets: () => g.google.secrets,
    },
  ];
}
