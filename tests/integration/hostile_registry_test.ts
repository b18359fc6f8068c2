/**
 * An inconsistent or hostile registry cannot move a tag, delete content, exhaust memory or
 * time, or write to the terminal (cases 3 to 8 of the security review), through the real
 * command line over http and https, with a real `docker-registry` behind the hostile server.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hasControl } from "../fixtures/control_chars.ts";
import { makeImage, pushImage } from "../fixtures/images.ts";
import { pushImage as pushTiny, tinyImage } from "../fixtures/tiny_images.ts";
import { OciDirBackend } from "../../src/registry/ocidir/backend.ts";
import type { CliResult } from "../cli/run_cli.ts";
import { credentialSources } from "./credential_sources.ts";
import { dstTag, type NetWorld, type Scheme, SCHEMES, startNetWorld } from "./hostile_net.ts";
import { endlessJson, forward, tricklingBody } from "./hostile_server.ts";

/** An image already at the destination, which nothing may move or delete. */
const THERE = makeImage({ layers: 1, mediaType: "oci", seed: 43 });

/**
 * Makes the destination hand out upload sessions the way Artifact Registry does
 * (`/artifacts-uploads/namespaces/<p>/repositories/<r>/uploads/<id>`), kept by the real
 * registry behind it.
 */
function artifactRegistryUploads(w: NetWorld, scheme: Scheme) {
  const dst = w.side[scheme].dst;
  const sessions = new Map<string, string>();
  const reshape = (res: Response) => {
    const loc = res.headers.get("location");
    const m = loc === null
      ? null
      : /^(?:https?:\/\/[^/]+)?(\/v2\/.+\/blobs\/uploads\/)([^/?]+)(\?.*)?$/.exec(loc);
    if (!m) return res;
    sessions.set(m[2]!, `${m[1]}${m[2]}`);
    const headers = new Headers(res.headers);
    headers.set(
      "location",
      `/artifacts-uploads/namespaces/p/repositories/r/uploads/${m[2]}${m[3] ?? ""}`,
    );
    return new Response(res.body, { status: res.status, headers });
  };
  dst.rule = async (req, url) => {
    const ar = /^\/artifacts-uploads\/namespaces\/p\/repositories\/r\/uploads\/([^/]+)$/.exec(
      url.pathname,
    );
    if (ar) {
      return reshape(
        await forward(req, `${sessions.get(ar[1]!)}${url.search}`, w.dstReg.url, dst.origin),
      );
    }
    if (req.method === "POST" && url.pathname.endsWith("/blobs/uploads/")) {
      return reshape(await forward(req, `${url.pathname}${url.search}`, w.dstReg.url, dst.origin));
    }
    return undefined;
  };
}

interface Case {
  name: string;
  /** Whether the destination's tag 1.0 already names THERE (else only `keep` does). */
  occupied?: true;
  /** Sets the case up for destination repository `repo`; returns extra flags and env. */
  arrange: (w: NetWorld, scheme: Scheme, repo: string) => Promise<string[]> | string[];
  code: 0 | 1;
  stderr: RegExp;
  after?: (w: NetWorld, scheme: Scheme, repo: string, r: CliResult) => Promise<void> | void;
}

const tagsPath = (repo: string) => `/v2/${repo}/foo/tags/list`;

/** Writes nothing but blobs: no manifest or tag PUT, no DELETE, anywhere. */
function noManifestWrites(w: NetWorld, scheme: Scheme) {
  const writes = w.side[scheme].dst.seen.filter((s) =>
    s.method === "DELETE" || (s.method === "PUT" && s.url.includes("/manifests/"))
  );
  assert.deepEqual(writes.map((s) => `${s.method} ${s.url}`), []);
}

/** The tag 1.0 still names the image that was there. */
async function tagKept(w: NetWorld, scheme: Scheme, repo: string) {
  assert.equal(await dstTag(w, `${repo}/foo`, "1.0"), THERE.manifest.digest);
  noManifestWrites(w, scheme);
}

const CASES: Case[] = [
  {
    name: "an upload Location in Artifact Registry's shape, on the registry's origin, is used",
    arrange: (w, scheme) => {
      artifactRegistryUploads(w, scheme);
      return ["--confirm"];
    },
    code: 0,
    stderr: /: 1 copied, 0 tags added/,
    after: async (w, scheme, repo) => {
      assert.equal(await dstTag(w, `${repo}/foo`, "1.0"), w.digest);
      const used = w.side[scheme].dst.seen.filter((s) => s.url.includes("/artifacts-uploads/"));
      assert.ok(used.some((s) => s.method === "PUT"), "the uploads were committed there");
    },
  },
  {
    name: "a tag the listing shows but that reads as 404 is refused, never overwritten",
    occupied: true,
    arrange: (w, scheme, repo) => {
      w.side[scheme].dst.rule = (req, url) =>
        req.method === "HEAD" && url.pathname === `/v2/${repo}/foo/manifests/1.0`
          ? new Response(null, { status: 404 })
          : undefined;
      return ["--confirm"];
    },
    code: 1,
    stderr: /\/foo:1\.0: the registry lists the tag but answers 404 to reading it/,
    after: (w, scheme, repo) => tagKept(w, scheme, repo),
  },
  {
    name: "a tag the listing leaves out is read before the plan and refused",
    occupied: true,
    arrange: (w, scheme, repo) => {
      w.side[scheme].dst.rule = (req, url) =>
        req.method === "GET" && url.pathname === tagsPath(repo)
          ? Response.json({ name: `${repo}/foo`, tags: [] })
          : undefined;
      return ["--confirm"];
    },
    code: 1,
    stderr:
      /Refusing .*\/foo:1\.0: tag "1\.0" already points at sha256:[0-9a-f]{64} in the destination; cip never moves a tag/,
    after: (w, scheme, repo) => tagKept(w, scheme, repo),
  },
  {
    name: "a tag that appears between the plan and the write is read again and refused",
    occupied: true,
    arrange: (w, scheme, repo) => {
      let hidden = 0;
      w.side[scheme].dst.rule = (req, url) => {
        if (req.method === "GET" && url.pathname === tagsPath(repo)) {
          return Response.json({ name: `${repo}/foo`, tags: [] });
        }
        const tag = url.pathname === `/v2/${repo}/foo/manifests/1.0`;
        return tag && req.method === "HEAD" && hidden++ === 0
          ? new Response(null, { status: 404 })
          : undefined;
      };
      return ["--confirm"];
    },
    code: 1,
    stderr:
      /Refusing to set tag "1\.0" in .*\/foo to sha256:[0-9a-f]{64}: it points at sha256:[0-9a-f]{64} now/,
    after: (w, scheme, repo) => tagKept(w, scheme, repo),
  },
  {
    name: "an upload Location naming a manifest is refused: nothing is PUT or DELETEd there",
    arrange: (w, scheme, repo) => {
      w.side[scheme].dst.rule = (req, url) =>
        req.method === "POST" && url.pathname.endsWith("/blobs/uploads/")
          ? new Response(null, {
            status: 202,
            headers: { location: `/v2/${repo}/foo/manifests/${THERE.manifest.digest}` },
          })
          : undefined;
      return ["--confirm"];
    },
    code: 1,
    stderr: /upload location that is not an upload session of .*\/foo/,
    after: async (w, scheme, repo) => {
      noManifestWrites(w, scheme);
      assert.equal(await dstTag(w, `${repo}/foo`, "keep"), THERE.manifest.digest);
      assert.equal(
        await dstTag(w, `${repo}/foo`, THERE.manifest.digest),
        THERE.manifest.digest,
        "the manifest is still there",
      );
      const patches = w.side[scheme].dst.seen.filter((s) => s.method === "PATCH");
      assert.deepEqual(patches, []);
    },
  },
  {
    name: "a tag list that never ends is read up to its cap",
    arrange: (w, scheme, repo) => {
      w.side[scheme].dst.rule = (req, url) =>
        req.method === "GET" && url.pathname === tagsPath(repo)
          ? new Response(endlessJson(64 * 1024 * 1024))
          : undefined;
      return [];
    },
    code: 1,
    stderr: /Cannot list the tags of .*\/foo: the answer is larger than 32 MiB/,
  },
  {
    name: "a Link chain that keeps bringing new tags stops at the entry cap",
    arrange: (w, scheme, repo) => {
      let page = 0;
      w.side[scheme].dst.rule = (req, url) => {
        if (req.method !== "GET" || url.pathname !== tagsPath(repo)) return undefined;
        page++;
        const tags = Array.from({ length: 10_000 }, (_, i) => `p${page}-${i}`);
        return Response.json({ name: `${repo}/foo`, tags }, {
          headers: { link: `<${tagsPath(repo)}?n=1000&last=p${page}>; rel="next"` },
        });
      };
      return [];
    },
    code: 1,
    stderr: /Cannot follow pagination of .*: the listing holds more than 1000000 entries/,
    after: (w, scheme) => {
      const pages = w.side[scheme].dst.seen.filter((s) => s.url.includes("/tags/list"));
      assert.ok(pages.length <= 102, `${pages.length} pages`);
    },
  },
  {
    name: "a blob that trickles in a byte at a time is stopped by --timeout",
    arrange: (w, scheme) => {
      w.side[scheme].src.rule = (req, url) =>
        req.method === "GET" && url.pathname.includes("/blobs/sha256:") &&
          req.headers.get("authorization")?.startsWith("Bearer tok-")
          ? new Response(tricklingBody(new Uint8Array(1), 200))
          : undefined;
      return ["--confirm", "--timeout=3s"];
    },
    code: 1,
    stderr: /^cip: the run did not finish within --timeout=3s and was stopped/m,
    after: (w, scheme) => noManifestWrites(w, scheme),
  },
  {
    name: "escape sequences and workflow commands in a registry's error stay on one line",
    arrange: (w, scheme, repo) => {
      w.side[scheme].dst.rule = (_req, url) =>
        url.pathname === tagsPath(repo)
          ? Response.json({
            errors: [{
              code: "DENIED\n::add-mask::cip\x1b[31m",
              message: "\x1b]0;owned\x07\r\n::warning file=x::pwned\u202e\x9b2J",
            }],
          }, { status: 403 })
          : undefined;
      return [];
    },
    code: 1,
    stderr:
      /403 DENIED ::add-mask::cip\\x1b\[31m \(\\x1b\]0;owned\\x07 ::warning file=x::pwned\\u202e\\x9b2J\)/,
    after: (_w, _s, _r, r) => {
      for (const text of [r.stderr, r.stdout]) {
        assert.ok(!hasControl(text, true), text);
        assert.ok(!text.split("\n").some((l) => /^\s*::/.test(l)), text);
      }
    },
  },
];

Deno.test("an inconsistent or hostile registry cannot move, delete, exhaust or inject", async (t) => {
  const w = await startNetWorld();
  const password = credentialSources(w.google)[0]!;
  try {
    let n = 0;
    for (const scheme of SCHEMES) {
      for (const c of CASES) {
        await t.step(`${c.name} (${scheme})`, async () => {
          w.reset();
          const repo = `r${++n}`;
          await pushImage(
            w.dstReg.url,
            `${repo}/foo`,
            THERE,
            c.occupied ? ["1.0", "keep"] : ["keep"],
          );
          const side = w.side[scheme];
          await Deno.mkdir(`${w.dir}/${repo}`);
          const { env } = await password.setup(`${w.dir}/${repo}`, [side.src.host, side.dst.host]);
          side.src.gate = password.valid;
          side.dst.gate = password.valid;
          const flags = await c.arrange(w, scheme, repo);
          const manifest = await w.manifest(scheme, repo);
          const r = await w.cip([`--manifest=${manifest}`, ...flags], {
            ...env,
            GITHUB_ACTIONS: "true",
          });
          const info = `exit ${r.code}\n--- stderr\n${r.stderr}`;
          assert.equal(r.code, c.code, info);
          assert.match(r.stderr, c.stderr, info);
          assert.doesNotMatch(r.stderr, /^\s+at |Uncaught/m, info);
          await c.after?.(w, scheme, repo, r);
        });
      }
    }
    await t.step(
      "an OCI layout whose blobs lead out of the root is never written through",
      async () => {
        w.reset();
        const root = join(w.dir, "layouts");
        const outside = join(w.dir, "outside");
        await Deno.mkdir(join(outside, "sha256"), { recursive: true });
        await pushTiny(new OciDirBackend(root, { fsync: false }), "foo", tinyImage("x"), ["0.1"]);
        await Deno.remove(join(root, "foo", "blobs"), { recursive: true });
        await Deno.symlink(outside, join(root, "foo", "blobs"));
        const manifest = join(w.dir, "ocidir.yaml");
        await Deno.writeTextFile(
          manifest,
          `registries:\n  - name: ${w.side.http.src.host}/stage\n    src: true\n` +
            `  - name: ocidir://${root}\nimages:\n  - name: foo\n    dmap:\n` +
            `      "${w.digest}": ["1.0"]\n`,
        );
        const r = await w.cip([`--manifest=${manifest}`, "--confirm"]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /Refusing to use .*\/layouts\/foo\/blobs.* outside/);
        assert.deepEqual([...Deno.readDirSync(join(outside, "sha256"))], []);
        assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["sha256"]);
      },
    );
  } finally {
    await w.stop();
  }
});
