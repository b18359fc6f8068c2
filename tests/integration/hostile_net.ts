/**
 * The world of the network security tests: a real source and destination `docker-registry`,
 * each behind a HostileServer over http (127.0.0.1) and over https (`src.test`, `dst.test`
 * through the CONNECT proxy, certificates from a local CA), an evil host on 127.0.0.2 (http,
 * and https as `evil.test`), and Google's token endpoint and metadata server. Everything stays
 * on 127.0.0.0/8.
 */
import { makeImage, pushImage } from "../fixtures/images.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";
import { runCli } from "../cli/run_cli.ts";
import type { CliResult } from "../cli/run_cli.ts";
import { type ConnectProxy, startConnectProxy } from "./connect_proxy.ts";
import { GOOGLE_TLS_NAMES, type GoogleServices, startGoogle } from "./credential_sources.ts";
import { type HostileServer, startHostileServer } from "./hostile_server.ts";
import { type LocalCa, makeLocalCa } from "./local_ca.ts";
import { type RegistryProcess, startRegistry } from "./registry_process.ts";

/** The schemes every case runs over. */
export const SCHEMES = ["http", "https"] as const;

/** http or https. */
export type Scheme = typeof SCHEMES[number];

/** A source and a destination registry reached over one scheme. */
export interface Side {
  src: HostileServer;
  dst: HostileServer;
}

/** The whole world; see the module comment. */
export interface NetWorld {
  ca: LocalCa;
  proxy: ConnectProxy;
  google: GoogleServices;
  srcReg: RegistryProcess;
  dstReg: RegistryProcess;
  /** The digest of `stage/foo:1.0` in the source. */
  digest: string;
  side: Record<Scheme, Side>;
  /** The evil host over each scheme (both on 127.0.0.2). */
  evil: Record<Scheme, HostileServer>;
  /** A scratch directory. */
  dir: string;
  /** Writes a manifest promoting stage/foo:1.0 from `scheme`'s source into `<dst>/<path>`. */
  manifest(scheme: Scheme, path: string, serviceAccount?: string): Promise<string>;
  /** Runs `cip run ...args` with the proxy and the CA in its environment, and `env`. */
  cip(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** Every server's rule, gate and record cleared. */
  reset(): void;
  stop(): Promise<void>;
}

/** Starts the world and pushes `stage/foo:1.0` to the source. */
export async function startNetWorld(): Promise<NetWorld> {
  const ca = await makeLocalCa(["src.test", "dst.test", "evil.test", ...GOOGLE_TLS_NAMES]);
  const proxy = startConnectProxy();
  const google = startGoogle(ca, proxy);
  const srcReg = await startRegistry();
  const dstReg = await startRegistry();
  const img = makeImage({ layers: 2, mediaType: "oci", seed: 41, layerSize: 4096 });
  await pushImage(srcReg.url, "stage/foo", img, ["1.0"]);
  const tls = (name: string) => ({ tls: { name, ca, proxy } });
  const side: Record<Scheme, Side> = {
    http: {
      src: startHostileServer({ upstream: srcReg.url }),
      dst: startHostileServer({ upstream: dstReg.url }),
    },
    https: {
      src: startHostileServer({ upstream: srcReg.url, ...tls("src.test") }),
      dst: startHostileServer({ upstream: dstReg.url, ...tls("dst.test") }),
    },
  };
  const evil: Record<Scheme, HostileServer> = {
    http: startHostileServer({ ip: "127.0.0.2" }),
    https: startHostileServer({ ip: "127.0.0.2", ...tls("evil.test") }),
  };
  const servers = [...Object.values(side).flatMap((s) => [s.src, s.dst]), ...Object.values(evil)];
  const dir = await tempDir("cip-hostile-net-");
  const denoDir = await currentDenoDir();
  let n = 0;
  return {
    ca,
    proxy,
    google,
    srcReg,
    dstReg,
    digest: img.manifest.digest,
    side,
    evil,
    dir,
    async manifest(scheme, path, serviceAccount) {
      const file = `${dir}/m${++n}.yaml`;
      const sa = serviceAccount ? `\n    service-account: ${serviceAccount}` : "";
      await Deno.writeTextFile(
        file,
        `registries:\n  - name: ${side[scheme].src.host}/stage\n    src: true${sa}\n` +
          `  - name: ${side[scheme].dst.host}/${path}${sa}\n` +
          `images:\n  - name: foo\n    dmap:\n      "${img.manifest.digest}": ["1.0"]\n`,
      );
      return file;
    },
    // HOME is the scratch directory, so no credential of the machine is found; DENO_DIR stays
    // the one of this process, so Deno finds its npm packages without going through the proxy.
    cip: (args, env = {}) =>
      runCli(["run", ...args], {
        env: { HOME: dir, DENO_DIR: denoDir, HTTPS_PROXY: proxy.url, DENO_CERT: ca.caFile, ...env },
      }),
    reset() {
      for (const s of servers) {
        s.rule = undefined;
        s.gate = undefined;
        s.seen.length = 0;
      }
    },
    async stop() {
      for (const s of servers) await s.stop();
      await google.stop();
      await proxy.stop();
      await srcReg.stop();
      await dstReg.stop();
    },
  };
}

/** The Deno cache directory this process uses (`deno info`). */
export async function currentDenoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as { denoDir: string }).denoDir;
}

/** Whether the destination registry itself (not through a front) holds `repo:tag`, and at what. */
export async function dstTag(w: NetWorld, repo: string, tag: string): Promise<string | null> {
  const res = await fetch(`${w.dstReg.url}/v2/${repo}/manifests/${tag}`, {
    method: "HEAD",
    headers: { Accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  await res.body?.cancel();
  return res.status === 200 ? res.headers.get("docker-content-digest") : null;
}
