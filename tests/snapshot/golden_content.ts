/**
 * The registry content the snapshot golden files describe, pushed identically to the fake
 * registry (with the GCR extension) and to a real docker-registry, and the golden cases.
 */
import type { FakeRegistry } from "../fakes/registry.ts";
import {
  type ImageFixture,
  type IndexFixture,
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
  type PushOptions,
} from "../fixtures/images.ts";

const amd64 = { architecture: "amd64", os: "linux" };
const arm64 = { architecture: "arm64", os: "linux" };
const s390x = { architecture: "s390x", os: "linux" };

function image(seed: number, mediaType: "docker" | "oci", platform = amd64): ImageFixture {
  return makeImage({ layers: 1, mediaType, seed, platform, layerSize: 256 });
}

const fooRelease = image(1, "oci");
const fooOld = image(2, "docker");
const multiAmd = image(3, "oci");
const multi = makeIndex([multiAmd, image(4, "oci", arm64), image(5, "oci", s390x)], "oci");
const bar = makeIndex([image(6, "docker"), image(7, "docker", arm64)], "docker");
const barDebug = image(8, "docker");
const other = image(9, "oci");

/** The content: repository, an image or an index, and its tags, in push order. */
const CONTENT: [string, ImageFixture | IndexFixture, string[]][] = [
  ["prod/foo", fooRelease, ["1.0", "latest"]],
  ["prod/foo", fooOld, ["0.9"]],
  ["prod/multi", multi, ["v1", "latest"]],
  ["prod/multi", multiAmd, ["v1-amd64"]],
  ["prod/sub/bar", bar, ["2.0"]],
  ["prod/sub/bar", barDebug, ["2.0-debug"]],
  ["other/x", other, ["x"]],
];

function isIndex(f: ImageFixture | IndexFixture): f is IndexFixture {
  return "children" in f;
}

/** Fills a registry at `url` (`http://host:port`, or any URL a fake fetch serves). */
export async function fillGolden(url: string, opts: PushOptions = {}): Promise<void> {
  for (const [repo, f, tags] of CONTENT) {
    if (isIndex(f)) await pushIndex(url, repo, f, tags, opts);
    else await pushImage(url, repo, f, tags, opts);
  }
}

/** Stores the same content straight into a fake registry (for fakes that require auth). */
export function seedGolden(fake: FakeRegistry): void {
  for (const [repo, f, tags] of CONTENT) {
    if (isIndex(f)) fake.seedIndex(repo, f, tags);
    else fake.seed(repo, f, tags);
  }
}

/** One golden case: a golden file and the snapshot flags after `--snapshot=HOST<path>`. */
export interface GoldenCase {
  /** File name in testdata/golden/snapshot/. */
  file: string;
  /** Appended to the registry host: "" or "/prod" etc. */
  path: string;
  args: string[];
  /** The file differs for registries with the GCR extension (JSON sizes). */
  perSource?: boolean;
}

/** Every format and option, checked against both registries. */
export const GOLDEN_CASES: GoldenCase[] = [
  { file: "prod.yaml", path: "/prod", args: [] },
  { file: "prod.csv", path: "/prod", args: ["--output=csv"] },
  { file: "prod.json", path: "/prod", args: ["--output=json"], perSource: true },
  { file: "prod-minimal.yaml", path: "/prod", args: ["--minimal-snapshot"] },
  { file: "prod-minimal.csv", path: "/prod", args: ["--minimal-snapshot", "--output=csv"] },
  { file: "prod-tag-latest.yaml", path: "/prod", args: ["--snapshot-tag=latest"] },
  { file: "prod-tag-latest.csv", path: "/prod", args: ["--snapshot-tag=latest", "--output=csv"] },
  {
    file: "prod-tag-latest-minimal.json",
    path: "/prod",
    args: ["--snapshot-tag=latest", "--minimal-snapshot", "--output=json"],
    perSource: true,
  },
  { file: "prod-sub.yaml", path: "/prod/sub", args: [] },
  { file: "all.yaml", path: "", args: [] },
  { file: "all.csv", path: "", args: ["--output=csv"] },
];

const GOLDEN_DIR = new URL("../../testdata/golden/snapshot/", import.meta.url);

/** The golden file of a case for a source kind ("gcr" files exist only for perSource cases). */
export function goldenPath(c: GoldenCase, source: "plain" | "gcr"): URL {
  const name = c.perSource && source === "gcr" ? c.file.replace(/(\.\w+)$/, ".gcr$1") : c.file;
  return new URL(name, GOLDEN_DIR);
}

/**
 * Compares output with a golden file; with UPDATE_GOLDEN=1 in the environment, writes the
 * file instead. Returns the golden text.
 */
export async function checkGolden(path: URL, actual: string): Promise<string> {
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.mkdir(new URL(".", path), { recursive: true });
    await Deno.writeTextFile(path, actual);
    return actual;
  }
  return await Deno.readTextFile(path);
}
