/**
 * Promotion benchmark: 200 images (20 of them 3-platform indexes, 1-3 layers of 64 KiB, some
 * layers shared) copied between two local registries by `cip run --confirm` and by
 * `skopeo sync --all --preserve-digests`; then the no-op reruns; then one 1 GiB blob. Prints
 * wall time, requests, bytes and peak memory; asserts nothing about time.
 */
import { createHash } from "node:crypto";
import {
  asBody,
  digestOf,
  type ImageFixture,
  makeImage,
  makeIndex,
  pushBlob,
  pushImage,
  pushIndex,
  randomBytes,
} from "../fixtures/images.ts";
import { requireBinary } from "../integration/registry_process.ts";
import {
  type LoggedRegistry,
  type Served,
  startLoggedRegistry,
} from "../integration/logged_registry.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const KIB64 = 64 * 1024;

/** One measured run of a command. */
interface Measured {
  seconds: number;
  peakMiB: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command under /usr/bin/time, returning wall time and peak RSS. */
async function measure(cmd: string[]): Promise<Measured> {
  const timeFile = await Deno.makeTempFile();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%e %M", "-o", timeFile, ...cmd],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const [secs, kib] = (await Deno.readTextFile(timeFile)).trim().split("\n").pop()!.split(" ");
  await Deno.remove(timeFile);
  const dec = new TextDecoder();
  return {
    seconds: Number(secs),
    peakMiB: Number(kib) / 1024,
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** The benchmark's images: repository, tag, and what to push. */
interface BenchImage {
  repo: string;
  tag: string;
  image?: ImageFixture;
  index?: ReturnType<typeof makeIndex>;
  digest: string;
}

function makeImages(): BenchImage[] {
  const shared = Array.from({ length: 8 }, (_, i) => randomBytes(900_000 + i, KIB64));
  const layersFor = (k: number): Uint8Array[] =>
    Array.from(
      { length: 1 + (k % 3) },
      (_, j) => j === 0 && k % 2 === 0 ? shared[k % 8]! : randomBytes(k * 10 + j + 1, KIB64),
    );
  const images: BenchImage[] = [];
  for (let k = 0; k < 200; k++) {
    const repo = `bench/app-${k % 40}`;
    const tag = `v${Math.floor(k / 40)}`;
    const mediaType = k % 2 === 0 ? "oci" : "docker";
    if (k < 180) {
      const image = makeImage({ layers: layersFor(k), mediaType, seed: k });
      images.push({ repo, tag, image, digest: image.manifest.digest });
    } else {
      const kids = ["amd64", "arm64", "s390x"].map((architecture, c) =>
        makeImage({
          layers: layersFor(k * 7 + c),
          mediaType,
          seed: k * 7 + c,
          platform: { architecture, os: "linux" },
        })
      );
      const index = makeIndex(kids, mediaType);
      images.push({ repo, tag, index, digest: index.manifest.digest });
    }
  }
  return images;
}

async function pushAll(url: string, images: BenchImage[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < images.length) {
      const b = images[next++]!;
      if (b.image) await pushImage(url, b.repo, b.image, [b.tag]);
      if (b.index) await pushIndex(url, b.repo, b.index, [b.tag]);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  for (const b of images) {
    const res = await fetch(`${url}/v2/${b.repo}/manifests/${b.tag}`, {
      method: "HEAD",
      headers: {
        Accept:
          "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json",
      },
    });
    await res.body?.cancel();
    if (res.headers.get("Docker-Content-Digest") !== b.digest) {
      throw new Error(
        `staging ${b.repo}:${b.tag} is ${res.status} ${
          res.headers.get("Docker-Content-Digest")
        }, not ${b.digest}`,
      );
    }
  }
}

function cipManifest(src: string, dst: string, images: BenchImage[], prefix = "bench"): string {
  const lines = [
    "registries:",
    `- name: ${src}/${prefix}`,
    "  src: true",
    `- name: ${dst}`,
    "images:",
  ];
  const byRepo = new Map<string, BenchImage[]>();
  for (const b of images) byRepo.set(b.repo, [...(byRepo.get(b.repo) ?? []), b]);
  for (const [repo, list] of byRepo) {
    lines.push(`- name: ${repo.slice(prefix.length + 1)}`, "  dmap:");
    for (const b of list) lines.push(`    "${b.digest}": ["${b.tag}"]`);
  }
  return lines.join("\n") + "\n";
}

function skopeoYaml(src: string, images: BenchImage[]): string {
  const byRepo = new Map<string, string[]>();
  for (const b of images) byRepo.set(b.repo, [...(byRepo.get(b.repo) ?? []), b.tag]);
  const lines = [`${src}:`, "  tls-verify: false", "  images:"];
  for (const [repo, tags] of byRepo) {
    lines.push(`    ${repo}: [${tags.map((t) => `"${t}"`).join(", ")}]`);
  }
  return lines.join("\n") + "\n";
}

/** A row of the result table. */
interface Row {
  what: string;
  m: Measured;
  src: Served;
  dst: Served;
}

async function counted(
  what: string,
  regs: [LoggedRegistry, LoggedRegistry],
  cmd: string[],
): Promise<Row> {
  await Promise.all(regs.map((r) => r.mark()));
  const m = await measure(cmd);
  if (m.code !== 0) {
    throw new Error(`${what} failed (exit ${m.code}):\n${m.stderr.slice(-3000)}`);
  }
  const [src, dst] = await Promise.all(regs.map((r) => r.served()));
  return { what, m, src: src!, dst: dst! };
}

function printRows(rows: Row[]): void {
  console.log(
    "| run | wall s | peak MiB | requests (src+dst) | by method | bytes served by src |",
  );
  console.log("| --- | ---: | ---: | ---: | --- | ---: |");
  for (const r of rows) {
    const methods: Record<string, number> = {};
    for (const s of [r.src, r.dst]) {
      for (const [k, v] of Object.entries(s.byMethod)) methods[k] = (methods[k] ?? 0) + v;
    }
    const by = Object.entries(methods).sort().map(([k, v]) => `${k} ${v}`).join(", ");
    console.log(
      `| ${r.what} | ${r.m.seconds.toFixed(2)} | ${r.m.peakMiB.toFixed(0)} | ` +
        `${r.src.requests + r.dst.requests} | ${by} | ${r.src.bytesOut} |`,
    );
  }
}

/** Streams `size` bytes of deterministic content in 1 MiB chunks. */
function bigStream(size: number): ReadableStream<Uint8Array> {
  const block = randomBytes(4242, 1 << 20);
  let sent = 0;
  return new ReadableStream({
    pull(ctl) {
      if (sent >= size) return ctl.close();
      const chunk = block.slice(0, Math.min(block.length, size - sent));
      new DataView(chunk.buffer).setFloat64(0, sent);
      sent += chunk.length;
      ctl.enqueue(chunk);
    },
  });
}

/** Pushes one blob of `size` generated bytes to `repo` without holding it in memory. */
async function pushBigBlob(url: string, repo: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  for await (const c of bigStream(size)) hash.update(c);
  const digest = `sha256:${hash.digest("hex")}`;
  const post = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  await post.body?.cancel();
  const loc = new URL(post.headers.get("Location")!, url);
  loc.searchParams.set("digest", digest);
  const put = await fetch(loc, {
    method: "PUT",
    body: bigStream(size),
    headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
  });
  if (put.status !== 201) {
    throw new Error(`big blob upload: HTTP ${put.status} ${await put.text()}`);
  }
  await put.body?.cancel();
  return digest;
}

/** Runs the promotion benchmark, prints its figures; true when its targets were met. */
export async function benchPromote(): Promise<boolean> {
  requireBinary("skopeo");
  const src = await startLoggedRegistry();
  const dst = await startLoggedRegistry();
  const work = await Deno.makeTempDir({ prefix: "cip-bench-promote-" });
  try {
    const images = makeImages();
    await pushAll(src.url, images);
    await Deno.writeTextFile(
      `${work}/manifest.yaml`,
      cipManifest(src.host, `${dst.host}/cip`, images),
    );
    await Deno.writeTextFile(`${work}/skopeo.yaml`, skopeoYaml(src.host, images));
    const cip = cipCommand(`${work}/manifest.yaml`);
    const skopeo = [
      "skopeo",
      "sync",
      "--all",
      "--preserve-digests",
      "--src",
      "yaml",
      "--dest",
      "docker",
      "--dest-tls-verify=false",
      `${work}/skopeo.yaml`,
      `${dst.host}/skopeo`,
    ];
    const regs: [LoggedRegistry, LoggedRegistry] = [src, dst];
    const rows = [
      await counted("cip copy", regs, [...cip, "--confirm"]),
      await counted("skopeo sync copy", regs, skopeo),
      await counted("cip no-op rerun", regs, [...cip, "--confirm"]),
      await counted("skopeo sync no-op rerun", regs, skopeo),
    ];
    console.log("\nPromotion: 200 images (20 indexes x 3 children), 1-3 layers of 64 KiB\n");
    printRows(rows);
    const ratio = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
    const [cc, sc, cr, sr] = rows.map((r) => r.m);
    console.log(
      `\ncip / skopeo wall time: copy ${ratio(cc!.seconds, sc!.seconds)}, ` +
        `no-op rerun ${ratio(cr!.seconds, sr!.seconds)} (targets: < 25%, < 50%)`,
    );
    console.log(
      `cip / skopeo requests: copy ${
        ratio(
          rows[0]!.src.requests + rows[0]!.dst.requests,
          rows[1]!.src.requests + rows[1]!.dst.requests,
        )
      }, ` +
        `no-op rerun ${
          ratio(
            rows[2]!.src.requests + rows[2]!.dst.requests,
            rows[3]!.src.requests + rows[3]!.dst.requests,
          )
        }`,
    );

    const size = 1 << 30;
    const layer = await pushBigBlob(src.url, "big/one", size);
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}');
    const configDigest = digestOf(config);
    await pushBlob(src.url, "big/one", {
      digest: configDigest,
      bytes: config,
      size: config.length,
      mediaType: "application/vnd.oci.image.config.v1+json",
    });
    const manifest = new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: configDigest,
        size: config.length,
      },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer, size }],
    }));
    const put = await fetch(`${src.url}/v2/big/one/manifests/v1`, {
      method: "PUT",
      body: asBody(manifest),
      headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
    });
    if (put.status !== 201) throw new Error(`big manifest: HTTP ${put.status}`);
    const digest = put.headers.get("Docker-Content-Digest")!;
    await put.body?.cancel();
    await Deno.writeTextFile(
      `${work}/big.yaml`,
      `registries:\n- name: ${src.host}/big\n  src: true\n- name: ${dst.host}/big\n` +
        `images:\n- name: one\n  dmap:\n    "${digest}": ["v1"]\n`,
    );
    const big = await counted("cip copy of one 1 GiB blob", regs, [
      ...cipCommand(`${work}/big.yaml`),
      "--confirm",
    ]);
    console.log("\nOne image with a 1 GiB layer\n");
    printRows([big]);
    console.log(
      `\npeak memory ${big.m.peakMiB.toFixed(0)} MiB (target < 200 MiB), ` +
        `${((size / 1048576) / big.m.seconds).toFixed(0)} MiB/s`,
    );
    return cc!.seconds < 0.25 * sc!.seconds && cr!.seconds < 0.5 * sr!.seconds &&
      big.m.peakMiB < 200;
  } finally {
    await Promise.all([src.stop(), dst.stop()]);
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await benchPromote();

/** The command line that runs cip from source on a manifest (a dry run unless more is added). */
function cipCommand(manifest: string): string[] {
  return [Deno.execPath(), "run", "-A", "--quiet", MAIN, "run", `--manifest=${manifest}`];
}
