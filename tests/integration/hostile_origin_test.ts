/**
 * Credentials stay with their registry (cases 1 and 2 of the security review), through the real
 * command line, for every credential source, over http and https: an upload `Location` on
 * another host, a blob read redirected to a host that asks for credentials, a token realm
 * that redirects elsewhere, a redirect from https to plain http. The evil host on 127.0.0.2
 * must never receive a credential; most of the time it must receive nothing at all.
 */
import assert from "node:assert/strict";
import { type CredentialSource, credentialSources } from "./credential_sources.ts";
import {
  dstTag,
  type NetWorld,
  type Scheme,
  SCHEMES,
  type Side,
  startNetWorld,
} from "./hostile_net.ts";
import type { HostileServer, Seen } from "./hostile_server.ts";

interface Case {
  name: string;
  /** Schemes the case applies to. */
  schemes: readonly Scheme[];
  /** Sets the rules of the registries and of the evil host; returns the evil host used. */
  arrange: (w: NetWorld, scheme: Scheme, repo: string) => HostileServer;
  stderr: RegExp;
  /** What the evil host may have received (it never gets credentials either way). */
  evilSees: (seen: Seen[]) => void;
}

const other = (s: Scheme): Scheme => s === "http" ? "https" : "http";

/** Answers every request with a challenge whose realm is the evil host itself. */
function challenging(evil: HostileServer, scheme: "basic" | "bearer") {
  evil.rule = (_req, url) =>
    url.pathname === "/token" ? Response.json({ token: "stolen" }) : new Response(null, {
      status: 401,
      headers: {
        "www-authenticate": scheme === "basic"
          ? 'Basic realm="evil"'
          : `Bearer realm="${evil.origin}/token",service="evil"`,
      },
    });
}

/** Redirects the source's authorised blob reads to `target`. */
function redirectBlobs(side: Side, target: string) {
  side.src.rule = (req, url) =>
    req.method === "GET" && url.pathname.includes("/blobs/sha256:") &&
      req.headers.get("authorization")?.startsWith("Bearer tok-")
      ? new Response(null, { status: 307, headers: { location: target } })
      : undefined;
}

const nothing = (seen: Seen[]) => assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), []);

const CASES: Case[] = [
  {
    name: "an upload Location on another host and scheme gets no upload and no credential",
    schemes: SCHEMES,
    arrange: (w, scheme, repo) => {
      const evil = w.evil[other(scheme)];
      challenging(evil, "basic");
      w.side[scheme].dst.rule = (req, url) =>
        req.method === "POST" && url.pathname.endsWith("/blobs/uploads/")
          ? new Response(null, {
            status: 202,
            headers: { location: `${evil.origin}/v2/${repo}/foo/blobs/uploads/x` },
          })
          : undefined;
      return evil;
    },
    stderr: /the registry sent an upload location on another origin \(http/,
    evilSees: nothing,
  },
  {
    name: "a blob read redirected to a host that asks for credentials gets none",
    schemes: SCHEMES,
    arrange: (w, scheme) => {
      const evil = w.evil[scheme];
      challenging(evil, "bearer");
      redirectBlobs(w.side[scheme], `${evil.origin}/storage/blob?sig=signed`);
      return evil;
    },
    stderr: /which asked for credentials; cip sends credentials only to/,
    evilSees: (seen) => {
      assert.ok(seen.length > 0, "the redirect was followed, without credentials");
      for (const s of seen) assert.match(s.url, /\/storage\/blob\?sig=signed$/);
    },
  },
  {
    name: "a token realm that redirects to another host gets nothing it may not have",
    schemes: SCHEMES,
    arrange: (w, scheme) => {
      const evil = w.evil[scheme];
      challenging(evil, "bearer");
      w.side[scheme].dst.rule = (_req, url) =>
        url.pathname === "/token"
          ? new Response(null, { status: 307, headers: { location: `${evil.origin}/token` } })
          : undefined;
      return evil;
    },
    stderr: /Cannot .*(token server returned 307|registry returned 401)/,
    evilSees: (seen) => {
      for (const s of seen) assert.equal(`${s.method} ${new URL(s.url).pathname}`, "GET /token");
    },
  },
  {
    name: "a blob read redirected from https to plain http is not followed",
    schemes: ["https"],
    arrange: (w) => {
      const evil = w.evil.http;
      challenging(evil, "bearer");
      redirectBlobs(w.side.https, `${evil.origin}/storage/blob`);
      return evil;
    },
    stderr: /it was redirected from https to plain http \(http:\/\/127\.0\.0\.2:\d+\)/,
    evilSees: nothing,
  },
];

/** No secret of the source in anything the evil host received, and no Authorization at all. */
function noCredentials(seen: Seen[], source: CredentialSource, info: string) {
  const secrets = source.secrets();
  for (const s of seen) {
    assert.equal(s.authorization, null, `${s.method} ${s.url} carried credentials\n${info}`);
    for (const secret of secrets) {
      assert.ok(!`${s.url}\n${s.body}`.includes(secret), `${s.method} ${s.url} got a secret`);
    }
  }
}

Deno.test("credentials stay with their registry, whatever a Location, redirect or realm says", async (t) => {
  const w = await startNetWorld();
  try {
    let n = 0;
    for (const source of credentialSources(w.google)) {
      for (const scheme of SCHEMES) {
        for (const c of CASES.filter((c) => c.schemes.includes(scheme))) {
          await t.step(`${c.name} (${scheme}, ${source.name})`, async () => {
            w.reset();
            const repo = `p${++n}`;
            const side = w.side[scheme];
            await Deno.mkdir(`${w.dir}/${repo}`);
            const { env, flags, serviceAccount } = await source.setup(`${w.dir}/${repo}`, [
              side.src.host,
              side.dst.host,
            ]);
            side.src.gate = source.valid;
            side.dst.gate = source.valid;
            const evil = c.arrange(w, scheme, repo);
            const manifest = await w.manifest(scheme, repo, serviceAccount);
            const r = await w.cip([`--manifest=${manifest}`, "--confirm", ...flags], env);
            const info = `exit ${r.code}\n--- stderr\n${r.stderr}`;
            noCredentials(evil.seen, source, info);
            c.evilSees(evil.seen);
            assert.equal(r.code, 1, info);
            assert.match(r.stderr, c.stderr, info);
            assert.doesNotMatch(r.stderr, /^\s+at |Uncaught/m, info);
            for (const secret of source.secrets()) {
              assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), info);
            }
            assert.equal(await dstTag(w, `${repo}/foo`, "1.0"), null, "nothing was promoted");
          });
        }
      }
    }
  } finally {
    await w.stop();
  }
});
