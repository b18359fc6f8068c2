/**
 * Hostile input through the real command line (main.ts as a subprocess with the binary's
 * permissions): bad manifests, bad flags, registries that refuse, throttle, break off or lie.
 * Every case checks the exit code, the one-line cause on stderr, that no stack trace or Deno
 * permission advice leaks, that stdout is empty or complete, and that failures write nothing.
 */
import assert from "node:assert/strict";
import { type CliResult, runCli, runDeno } from "../cli/run_cli.ts";
import {
  type HostileWorld,
  isWrite,
  ociError,
  pass,
  type Rule,
  startHostileWorld,
} from "./hostile_world.ts";

/** What stdout must hold: nothing, a whole plan, or one whole JSON document. */
type Stdout = "empty" | "plan" | "json";

interface Case {
  name: string;
  args: (w: HostileWorld) => Promise<string[]>;
  src?: Rule;
  dst?: Rule;
  code: 0 | 1 | 2;
  /** The cause, somewhere on stderr. */
  stderr: RegExp;
  stdout: Stdout;
  /** More checks after the run. */
  after?: (w: HostileWorld, r: CliResult) => Promise<void>;
  /** Run with -A instead of the binary's permission set. */
  allowAll?: boolean;
}

const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

/** Runs a plain manifest from the source proxy into `prod/<name>` on the destination proxy. */
function promote(name: string, ...flags: string[]) {
  return async (w: HostileWorld) => [
    `--manifest=${await w.manifest(`${name}.yaml`, w.src.host, `${w.dst.host}/${name}`)}`,
    ...flags,
  ];
}

async function writeFile(w: HostileWorld, name: string, data: string | Uint8Array) {
  const path = `${w.dir}/${name}`;
  if (typeof data === "string") await Deno.writeTextFile(path, data);
  else await Deno.writeFile(path, data);
  return path;
}

/** The destination did not get the tag: nothing half-promoted is presented as done. */
function noTag(repo: string) {
  return async (w: HostileWorld) => assert.equal(await w.dstHasTag(repo, "1.0"), false);
}

/** Answers blob GETs of the source with `body`. */
function blobGet(body: () => Response): Rule {
  return (req, url) =>
    req.method === "GET" && url.pathname.includes("/blobs/sha256:") ? body() : undefined;
}

const CASES: Case[] = [
  // Manifests that are not manifests: exit 2, nothing on stdout.
  {
    name: "a directory given as the manifest",
    args: async (w) => {
      await Deno.mkdir(`${w.dir}/adir.yaml`, { recursive: true });
      return [`--manifest=${w.dir}/adir.yaml`];
    },
    code: 2,
    stderr: /adir\.yaml: is a directory, expected a file/,
    stdout: "empty",
  },
  {
    name: "an empty manifest file",
    args: async (w) => [`--manifest=${await writeFile(w, "empty.yaml", "")}`],
    code: 2,
    stderr: /empty\.yaml: the file holds nothing; expected a promoter manifest/,
    stdout: "empty",
  },
  {
    name: "a binary manifest file",
    args: async (w) => [
      `--manifest=${await writeFile(w, "bin.yaml", new Uint8Array([0x7f, 0, 1, 0xff, 10]))}`,
    ],
    code: 2,
    stderr: /bin\.yaml:1:2: the file contains a NUL byte/,
    stdout: "empty",
  },
  {
    name: "a manifest that does not exist",
    args: (w) => Promise.resolve([`--manifest=${w.dir}/nope.yaml`]),
    code: 2,
    stderr: /nope\.yaml: no such file/,
    stdout: "empty",
  },
  {
    name: "malformed YAML",
    args: async (w) => [`--manifest=${await writeFile(w, "bad.yaml", "registries: [\n  - a\n")}`],
    code: 2,
    stderr: /bad\.yaml:2:\d+: YAML syntax error/,
    stdout: "empty",
  },
  {
    name: "fields of the wrong type",
    args: async (w) => [
      `--manifest=${await writeFile(w, "types.yaml", "registries: 5\nimages: {a: 1}\n")}`,
    ],
    code: 2,
    stderr: /types\.yaml:1:13: registries: expected a list of registries, got the number 5/,
    stdout: "empty",
  },
  {
    name: "a thin manifest directory that is a file",
    args: async (w) => [`--thin-manifest-dir=${await writeFile(w, "thin", "x")}`],
    code: 2,
    stderr: /thin: does not exist or is not a directory/,
    stdout: "empty",
  },
  // Flags with bad values: exit 2 before any network traffic.
  {
    name: "--threads=0",
    args: promote("flags1", "--threads=0"),
    code: 2,
    stderr: /--threads must be a whole number of at least 1, not "0"/,
    stdout: "empty",
    after: (w) => Promise.resolve(assert.deepEqual(w.src.seen, [])),
  },
  {
    name: "--max-requests-per-second=abc",
    args: promote("flags2", "--max-requests-per-second=abc"),
    code: 2,
    stderr: /--max-requests-per-second must be a whole number of at least 0, not "abc"/,
    stdout: "empty",
  },
  {
    name: "--output=xml",
    args: (w) => Promise.resolve([`--snapshot=${w.src.host}/stage`, "--output=xml"]),
    code: 2,
    stderr: /--output must be one of yaml, csv, json, not "xml"/,
    stdout: "empty",
  },
  {
    name: "--log-level=loud",
    args: promote("flags3", "--log-level=loud"),
    code: 2,
    stderr: /--log-level must be one of debug, info, warn, error, not "loud"/,
    stdout: "empty",
  },
  {
    name: "--confirm=maybe",
    args: promote("flags4", "--confirm=maybe"),
    code: 2,
    stderr: /--confirm takes no value/,
    stdout: "empty",
  },
  // Registries that refuse or lie during a dry run: exit 1, the registry and repository named.
  {
    name: "a source on a closed port",
    args: async (w) => [
      `--manifest=${await w.manifest("closed.yaml", "127.0.0.1:1", `${w.dst.host}/closed`)}`,
    ],
    code: 1,
    stderr: /Cannot look up 127\.0\.0\.1:1\/stage\/foo@sha256:[0-9a-f]{64}: .*connection failed/,
    stdout: "plan",
  },
  {
    name: "a 401 with an unknown challenge",
    args: promote("p401"),
    src: () => new Response("no", { status: 401, headers: { "www-authenticate": 'Weird a=",,' } }),
    code: 1,
    stderr: /stage\/foo.*: registry returned 401 without credentials/,
    stdout: "plan",
  },
  {
    name: "a Bearer challenge whose realm is not a URL",
    args: promote("realm"),
    src: () =>
      new Response("no", { status: 401, headers: { "www-authenticate": 'Bearer realm="::"' } }),
    code: 1,
    stderr: /Cannot authenticate to 127\.0\.0\.1:\d+: its token realm is not a URL/,
    stdout: "plan",
  },
  {
    name: "a 403 DENIED",
    args: promote("p403"),
    src: () => ociError(403, "DENIED", "no access"),
    code: 1,
    stderr: /Cannot read manifest 127\.0\.0\.1:\d+\/stage\/foo@.*403 DENIED \(no access\)/,
    stdout: "plan",
  },
  {
    name: "a 429 whose Retry-After is an hour (not waited for, the host not paused)",
    args: promote("p429"),
    src: () => ociError(429, "TOOMANYREQUESTS", "quota", { "retry-after": "3600" }),
    code: 1,
    stderr: /stage\/foo.*registry returned 429 TOOMANYREQUESTS \(quota\), Retry-After: 3600/,
    stdout: "plan",
  },
  {
    name: "two 503s, then answers (retried, succeeds)",
    args: promote("p503"),
    src: (() => {
      let n = 0;
      return () => n++ < 2 ? new Response("busy", { status: 503 }) : undefined;
    })(),
    code: 0,
    stderr: /\(dry run\): 1 to copy/,
    stdout: "plan",
  },
  {
    name: "a tag list that is not JSON",
    args: promote("json"),
    src: (_req, url) =>
      url.pathname.endsWith("/tags/list") ? new Response("{not json", { status: 200 }) : undefined,
    code: 1,
    stderr: /Cannot list the tags of 127\.0\.0\.1:\d+\/stage\/foo: the answer is not valid JSON/,
    stdout: "plan",
  },
  {
    name: "a manifest whose bytes do not match the digest asked for",
    args: promote("mbytes"),
    src: (req, url) =>
      url.pathname.includes("/manifests/sha256:")
        ? new Response(req.method === "HEAD" ? null : "{}", {
          headers: {
            "content-type": MANIFEST_TYPE,
            "docker-content-digest": url.pathname.slice(-71),
          },
        })
        : undefined,
    code: 1,
    stderr:
      /Cannot read manifest .*stage\/foo@sha256:[0-9a-f]{64}: the registry served content with digest sha256:44136fa3/,
    stdout: "plan",
  },
  {
    name: "--json-log-summary when the source refuses: one whole JSON document",
    args: promote("jsonsum", "--json-log-summary"),
    src: () => ociError(403, "DENIED", "no"),
    code: 1,
    stderr: /403 DENIED/,
    stdout: "json",
  },
  // Promotions the destination or the source spoils: exit 1, the tag never written.
  {
    name: "--confirm into a destination that refuses writes",
    args: promote("ro", "--confirm"),
    dst: (req) => isWrite(req) ? ociError(403, "DENIED", "read-only user") : undefined,
    code: 1,
    stderr: /Failed .*ro\/foo@sha256:.*registry returned 403 DENIED \(read-only user\)/,
    stdout: "plan",
    after: noTag("ro/foo"),
  },
  {
    name: "--confirm when the source serves a blob whose bytes do not match its digest",
    args: promote("blobbad", "--confirm"),
    src: blobGet(() => new Response(new Uint8Array(4096))),
    code: 1,
    stderr:
      /Cannot copy blob sha256:[0-9a-f]{64} from .*stage\/foo to .*blobbad\/foo: .*does not match/,
    stdout: "plan",
    after: noTag("blobbad/foo"),
  },
  {
    name: "--confirm when the source breaks a blob off after 100 of its 4096 bytes",
    args: promote("reset", "--confirm"),
    src: blobGet(() =>
      new Response(
        new ReadableStream({
          pull(c) {
            c.enqueue(new Uint8Array(100));
            c.close();
          },
        }),
        { headers: { "content-length": "4096" } },
      )
    ),
    code: 1,
    stderr:
      /Cannot copy blob sha256:[0-9a-f]{64} .*: Cannot read the answer to GET http:\/\/127\.0\.0\.1:\d+\/v2\/stage\/foo\/blobs\//,
    stdout: "plan",
    after: noTag("reset/foo"),
  },
  {
    name: "--confirm when the destination rejects the manifest",
    args: promote("minv", "--confirm"),
    dst: (req, url) =>
      req.method === "PUT" && url.pathname.includes("/manifests/")
        ? ociError(400, "MANIFEST_INVALID", "bad manifest")
        : undefined,
    code: 1,
    stderr: /Cannot store manifest sha256:[0-9a-f]{64} .*minv\/foo.*400 MANIFEST_INVALID/,
    stdout: "plan",
    after: noTag("minv/foo"),
  },
  // Reports that cannot be written: refused before any registry is read (exit 2), or when the
  // file itself cannot be written, exit 1 naming the file and the plain reason.
  {
    name: "--report into a directory that does not exist",
    args: promote("rep1", "--confirm", "--report=/nonexistent-cip-dir/r.json"),
    code: 2,
    stderr:
      /^cip: --report=\/nonexistent-cip-dir\/r\.json: the directory \/nonexistent-cip-dir does not exist$/m,
    stdout: "empty",
    after: async (w) => {
      assert.deepEqual(w.src.seen, []);
      assert.equal(await w.dstHasTag("rep1/foo", "1.0"), false);
    },
  },
  {
    name: "--report naming a directory",
    args: async (w) => {
      await Deno.mkdir(`${w.dir}/repdir`, { recursive: true });
      return await promote("rep2", `--report=${w.dir}/repdir`)(w);
    },
    code: 2,
    stderr: /^cip: --report=.*\/repdir: is a directory$/m,
    stdout: "empty",
    after: (w) => Promise.resolve(assert.deepEqual(w.src.seen, [])),
  },
  {
    name: "--report under a /proc directory that does not exist, with -A",
    allowAll: true,
    args: promote("rep3", "--report=/proc/nonexistent-cip/r.json"),
    code: 2,
    stderr:
      /^cip: --report=\/proc\/nonexistent-cip\/r\.json: the directory \/proc\/nonexistent-cip does not exist$/m,
    stdout: "empty",
  },
  {
    name: "--report under /proc with the binary's permissions",
    args: promote("rep4", "--report=/proc/nonexistent-cip/r.json"),
    code: 1,
    stderr:
      /^cip: Cannot write the report to \/proc\/nonexistent-cip\/r\.json: permission denied$/m,
    stdout: "plan",
  },
  // Snapshots of registries that fail half-way: exit 1, nothing on stdout.
  {
    name: "--snapshot when one repository answers 403",
    args: (w) => Promise.resolve([`--snapshot=${w.src.host}/stage`]),
    src: (_req, url) =>
      url.pathname.includes("/stage/bar/") ? ociError(403, "DENIED", "x") : undefined,
    code: 1,
    stderr:
      /Cannot take a snapshot of .*\/stage: Cannot list the tags of .*\/stage\/bar: registry returned 403/,
    stdout: "empty",
  },
  {
    name: "--snapshot when the catalog is not JSON",
    args: (w) => Promise.resolve([`--snapshot=${w.src.host}`]),
    src: (_req, url) =>
      url.pathname === "/v2/_catalog" ? new Response("[[[", { status: 200 }) : undefined,
    code: 1,
    stderr: /Cannot list the repositories of 127\.0\.0\.1:\d+: the answer is not valid JSON/,
    stdout: "empty",
  },
  {
    name: "--snapshot when the catalog links on forever to fresh empty pages",
    args: (w) => Promise.resolve([`--snapshot=${w.src.host}`]),
    src: (() => {
      let page = 0;
      return (_req: Request, url: URL) =>
        url.pathname === "/v2/_catalog"
          ? Response.json({ repositories: [] }, {
            headers: { Link: `</v2/_catalog?n=1000&last=x${page++}>; rel="next"` },
          })
          : undefined;
    })(),
    code: 1,
    stderr: /Cannot follow pagination of 127\.0\.0\.1:\d+: 10 pages in a row brought no new entry/,
    stdout: "empty",
  },
  {
    name: "--snapshot of an OCI layout directory Deno may not read (/proc)",
    args: () => Promise.resolve(["--snapshot=ocidir:///proc/self"]),
    code: 1,
    stderr:
      /^cip: Cannot take a snapshot of ocidir:\/\/\/proc\/self: .*\/proc\/self: permission denied$/m,
    stdout: "empty",
  },
  {
    name: "--snapshot of OCI layouts holding a symbolic link loop",
    args: async (w) => {
      await Deno.mkdir(`${w.dir}/layouts`, { recursive: true });
      await Deno.symlink("loop", `${w.dir}/layouts/loop`).catch(() => {});
      return [`--snapshot=ocidir://${w.dir}/layouts`];
    },
    code: 1,
    stderr:
      /^cip: Cannot take a snapshot of .*: Cannot resolve .*\/layouts\/loop: Too many levels of symbolic links$/m,
    stdout: "empty",
  },
  {
    name: "--snapshot of an OCI layout that is a file",
    args: async (w) => [`--snapshot=ocidir://${await writeFile(w, "layout", "x")}`],
    code: 1,
    stderr: /layout is not a directory/,
    stdout: "empty",
  },
];

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function runAllowAll(args: string[]): Promise<CliResult> {
  return runDeno({ args: ["run", "-A", "--quiet", MAIN, ...args] });
}

function checkStdout(kind: Stdout, stdout: string): void {
  if (kind === "empty") return assert.equal(stdout, "");
  if (kind === "json") return void JSON.parse(stdout);
  assert.match(stdout, /\(from 127\.0\.0\.1:\d+\/stage\):\n/);
  assert.ok(stdout.endsWith("\n"), "the plan ends with a whole line");
}

Deno.test("hostile input gets a clear one-line cause and a defined exit code, never a stack trace", async (t) => {
  const w = await startHostileWorld();
  try {
    for (const c of CASES) {
      await t.step(c.name, async () => {
        w.src.rule = c.src ?? pass;
        w.dst.rule = c.dst ?? pass;
        w.src.seen.length = 0;
        const args = ["run", ...await c.args(w)];
        const r = c.allowAll ? await runAllowAll(args) : await runCli(args);
        const info = `exit ${r.code}\n--- stderr\n${r.stderr}--- stdout\n${r.stdout}`;
        assert.equal(r.code, c.code, info);
        assert.match(r.stderr, c.stderr, info);
        assert.doesNotMatch(r.stderr, /^\s+at /m, info);
        assert.doesNotMatch(r.stderr, /Uncaught|--allow-|run again with|Requires .* access/i, info);
        checkStdout(c.stdout, r.stdout);
        await c.after?.(w, r);
      });
    }
  } finally {
    await w.stop();
  }
});
