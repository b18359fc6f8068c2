/**
 * The images of the promotion benchmark: 200 images in 40 repositories (20 of them 3-platform
 * indexes, 1-3 layers of 64 KiB, some layers shared), a second batch of 40 new images that
 * reuse most layers of the first, pushing them, the cip manifest naming them, and the work
 * each batch is as copy jobs (for the minimum of requests, min_requests.ts).
 */
import {
  type ImageFixture,
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
  randomBytes,
} from "../fixtures/images.ts";
import type { CopyJob, ManifestPut } from "./min_requests.ts";

const KIB64 = 64 * 1024;

/** One image of the benchmark: repository (with the `bench/` prefix), tag, what to push. */
export interface BenchImage {
  repo: string;
  tag: string;
  image?: ImageFixture;
  index?: ReturnType<typeof makeIndex>;
  digest: string;
}

function sharedLayers(): Uint8Array[] {
  return Array.from({ length: 8 }, (_, i) => randomBytes(900_000 + i, KIB64));
}

function layersFor(k: number, shared: Uint8Array[]): Uint8Array[] {
  return Array.from(
    { length: 1 + (k % 3) },
    (_, j) => j === 0 && k % 2 === 0 ? shared[k % 8]! : randomBytes(k * 10 + j + 1, KIB64),
  );
}

/** The first batch: 200 images, `bench/app-<k % 40>:v<k / 40>`; the last 20 are indexes. */
export function makeImages(): BenchImage[] {
  const shared = sharedLayers();
  const images: BenchImage[] = [];
  for (let k = 0; k < 200; k++) {
    const repo = `bench/app-${k % 40}`;
    const tag = `v${Math.floor(k / 40)}`;
    const mediaType = k % 2 === 0 ? "oci" : "docker";
    if (k < 180) {
      const image = makeImage({ layers: layersFor(k, shared), mediaType, seed: k });
      images.push({ repo, tag, image, digest: image.manifest.digest });
    } else {
      const kids = ["amd64", "arm64", "s390x"].map((architecture, c) =>
        makeImage({
          layers: layersFor(k * 7 + c, shared),
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

/**
 * The second batch: one new image per repository (`v5`), made of the layers of that
 * repository's first image plus one new 64 KiB layer: the repositories already hold most of it.
 */
export function makeSecondBatch(first: readonly BenchImage[]): BenchImage[] {
  return first.slice(0, 40).map((b, k) => {
    const image = makeImage({
      layers: [...b.image!.layers.map((l) => l.bytes), randomBytes(700_000 + k, KIB64)],
      mediaType: k % 2 === 0 ? "oci" : "docker",
      seed: 5000 + k,
    });
    return { repo: b.repo, tag: "v5", image, digest: image.manifest.digest };
  });
}

/** Pushes images to the registry at `url` (8 at a time), then checks every tag by HEAD. */
export async function pushAll(url: string, images: readonly BenchImage[]): Promise<void> {
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
      headers: { Accept: ACCEPT },
    });
    await res.body?.cancel();
    if (res.headers.get("Docker-Content-Digest") !== b.digest) {
      throw new Error(`staging ${b.repo}:${b.tag} is ${res.status}, not ${b.digest}`);
    }
  }
}

/** Every manifest media type the fixtures use, for Accept headers. */
export const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** A cip manifest promoting `images` from `src/<prefix>` to `dst`. */
export function cipManifest(
  src: string,
  dst: string,
  images: readonly BenchImage[],
  prefix = "bench",
): string {
  const lines = ["registries:", `- name: ${src}/${prefix}`, "  src: true", `- name: ${dst}`];
  lines.push("images:");
  const byRepo = Map.groupBy(images, (b) => b.repo);
  for (const [repo, list] of byRepo) {
    lines.push(`- name: ${repo.slice(prefix.length + 1)}`, "  dmap:");
    for (const b of list) lines.push(`    "${b.digest}": ["${b.tag}"]`);
  }
  return lines.join("\n") + "\n";
}

function put(image: ImageFixture, tags: number): ManifestPut {
  return {
    digest: image.manifest.digest,
    blobs: [image.config.digest, ...image.layers.map((l) => l.digest)],
    tags,
  };
}

/**
 * The copies of `images` to host `host` under `dstPrefix` (instead of `bench`), as jobs in
 * pushing order: children before their index. `exists` says whether the repositories already
 * hold something.
 */
export function copyJobs(
  images: readonly BenchImage[],
  host: string,
  dstPrefix: string,
  exists: boolean,
): CopyJob[] {
  const byRepo = Map.groupBy(images, (b) => b.repo);
  return [...byRepo].map(([repo, list]) => ({
    host,
    repo: `${dstPrefix}/${repo.slice("bench/".length)}`,
    exists,
    manifests: list.flatMap((b) =>
      b.image ? [put(b.image, 1)] : [...b.index!.children.map((c) => put(c, 0)), {
        digest: b.digest,
        blobs: [],
        tags: 1,
      }]
    ),
  }));
}

/** The blobs of `images`, per repository (`bench/...`). */
export function blobsByRepo(images: readonly BenchImage[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const b of images) {
    const set = out.get(b.repo) ?? new Set<string>();
    for (const i of b.image ? [b.image] : b.index!.children) {
      for (const d of [i.config.digest, ...i.layers.map((l) => l.digest)]) set.add(d);
    }
    out.set(b.repo, set);
  }
  return out;
}
