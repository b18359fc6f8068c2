/**
 * Promotion benchmark. Workloads, each run by `cip run --confirm` between two local
 * `docker-registry` processes and then checked by reading the destination back with raw fetch
 * (every tag's digest, every child, every blob) before any figure is printed:
 * - first-time promotion of 200 images (20 of them 3-platform indexes, 1-3 layers of 64 KiB,
 *   some layers shared) into absent repositories;
 * - the no-op rerun;
 * - 40 new images into the same repositories, which already hold most of their layers;
 * - the same three between simulated Google-style registries (the tags/list extension);
 * - one 1 GiB blob.
 * `skopeo sync --all --preserve-digests` does the docker-registry workloads too, as the time
 * baseline. Every cip run's requests are counted by kind against the API minimum of its
 * workload (min_requests.ts); the targets met and missed are printed plainly. Nothing about
 * time is asserted.
 */
import { requireBinary } from "../integration/registry_process.ts";
import {
  type LoggedRegistry,
  type Served,
  startLoggedRegistry,
  writesOf,
} from "../integration/logged_registry.ts";
import type { Counts } from "./min_requests.ts";
import {
  againstMinimum,
  kindsOf,
  verifyCopied,
  type Workload,
  workloadMinimum,
} from "./promote_accounting.ts";
import { stageBigImage, verifyBig } from "./promote_big_blob.ts";
import { benchGoogleWorkloads } from "./promote_google.ts";
import {
  type BenchImage,
  cipManifest,
  makeImages,
  makeSecondBatch,
  pushAll,
} from "./promote_images.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

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

function skopeoYaml(src: string, images: readonly BenchImage[]): string {
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
  /** cip's requests against the minimum, when counted. */
  accounting?: string;
  ok?: boolean;
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

/** Counts a row's requests against the minimum of its workload. */
function account(row: Row, w: Workload): Row {
  const actual: Counts = new Map([["src", kindsOf(row.src)], ["dst", kindsOf(row.dst)]]);
  const line = againstMinimum(actual, workloadMinimum(w, "cip", false));
  return { ...row, accounting: line, ok: !line.includes("NOT met") };
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
  for (const r of rows) if (r.accounting) console.log(`- ${r.what}: ${r.accounting}`);
}

/** Runs the promotion benchmark, prints its figures; true when its targets were met. */
export async function benchPromote(): Promise<boolean> {
  requireBinary("skopeo");
  const src = await startLoggedRegistry();
  const dst = await startLoggedRegistry();
  const work = await Deno.makeTempDir({ prefix: "cip-bench-promote-" });
  try {
    const images = makeImages();
    const second = makeSecondBatch(images);
    await pushAll(src.url, images);
    await Deno.writeTextFile(
      `${work}/manifest.yaml`,
      cipManifest(src.host, `${dst.host}/cip`, images),
    );
    await Deno.writeTextFile(`${work}/skopeo.yaml`, skopeoYaml(src.host, images));
    await Deno.writeTextFile(`${work}/skopeo2.yaml`, skopeoYaml(src.host, second));
    const cip = cipCommand(`${work}/manifest.yaml`);
    const skopeo = (file: string) => [
      "skopeo",
      "sync",
      "--all",
      "--preserve-digests",
      "--src",
      "yaml",
      "--dest",
      "docker",
      "--dest-tls-verify=false",
      `${work}/${file}`,
      `${dst.host}/skopeo`,
    ];
    const regs: [LoggedRegistry, LoggedRegistry] = [src, dst];
    const first: Workload = { copies: images, present: [], named: images };
    const rerun: Workload = { copies: [], present: images, named: images };
    const more: Workload = { copies: second, present: images, named: [...images, ...second] };
    const cc = account(await counted("cip copy", regs, [...cip, "--confirm"]), first);
    await verifyCopied(dst.url, "cip", images);
    const sc = await counted("skopeo sync copy", regs, skopeo("skopeo.yaml"));
    await verifyCopied(dst.url, "skopeo", images);
    const cr = account(await counted("cip no-op rerun", regs, [...cip, "--confirm"]), rerun);
    if (writesOf(cr.dst).length > 0) throw new Error("cip's no-op rerun wrote to the destination");
    const sr = await counted("skopeo sync no-op rerun", regs, skopeo("skopeo.yaml"));
    await pushAll(src.url, second);
    await Deno.writeTextFile(
      `${work}/manifest2.yaml`,
      cipManifest(src.host, `${dst.host}/cip`, [...images, ...second]),
    );
    const cn = account(
      await counted("cip new digests, layers mostly there", regs, [
        ...cipCommand(`${work}/manifest2.yaml`),
        "--confirm",
      ]),
      more,
    );
    await verifyCopied(dst.url, "cip", [...images, ...second]);
    const sn = await counted("skopeo sync of the new digests", regs, skopeo("skopeo2.yaml"));
    await verifyCopied(dst.url, "skopeo", second);
    const rows = [cc, sc, cr, sr, cn, sn];
    console.log(
      "\nPromotion: 200 images (20 indexes x 3 children), 1-3 layers of 64 KiB, then 40 new " +
        "images reusing most layers; every copy read back from the destination (tags, " +
        "children, blobs) before these figures\n",
    );
    printRows(rows);
    const google = await benchGoogleWorkloads(images, second, measure, cipCommand);
    console.log("\nThe same workloads between simulated Google-style registries (extension)\n");
    console.log("| run | wall s | peak MiB |");
    console.log("| --- | ---: | ---: |");
    for (const g of google) {
      console.log(`| ${g.what} | ${g.seconds.toFixed(2)} | ${g.peakMiB.toFixed(0)} |`);
    }
    for (const g of google) console.log(`- ${g.what}: ${g.line}`);
    const ratio = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
    const targets: [string, boolean][] = [
      [
        `first copy takes < 25% of skopeo's time (${ratio(cc.m.seconds, sc.m.seconds)})`,
        cc.m.seconds < 0.25 * sc.m.seconds,
      ],
      [
        `no-op rerun takes < 50% of skopeo's time (${ratio(cr.m.seconds, sr.m.seconds)})`,
        cr.m.seconds < 0.5 * sr.m.seconds,
      ],
      [
        `200-image promotion peaks under 100 MiB (${cc.m.peakMiB.toFixed(0)} MiB)`,
        cc.m.peakMiB < 100,
      ],
      ...[cc, cr, cn].map((r) =>
        [`${r.what}: requests <= 1.05x the minimum`, r.ok!] as [
          string,
          boolean,
        ]
      ),
      ...google.map((g) =>
        [`${g.what}: requests <= 1.05x the minimum`, g.ok] as [
          string,
          boolean,
        ]
      ),
    ];
    const staged = await stageBigImage(src.url, src.host, dst.host, work);
    const big = await counted("cip copy of one 1 GiB blob", regs, [
      ...cipCommand(staged.manifest),
      "--confirm",
    ]);
    await verifyBig(dst.url, staged);
    console.log("\nOne image with a 1 GiB layer (read back: manifest digest, blob size)\n");
    printRows([big]);
    console.log(
      `\npeak memory ${big.m.peakMiB.toFixed(0)} MiB (target < 200 MiB), ` +
        `${((staged.size / 1048576) / big.m.seconds).toFixed(0)} MiB/s`,
    );
    targets.push([
      `1 GiB blob peaks under 200 MiB (${big.m.peakMiB.toFixed(0)} MiB)`,
      big.m.peakMiB < 200,
    ]);
    console.log("\nTargets:");
    for (const [what, ok] of targets) console.log(`  ${ok ? "met" : "NOT met"}: ${what}`);
    return targets.every(([, ok]) => ok);
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
