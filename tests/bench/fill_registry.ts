/**
 * Fills a registry fast for benchmarks with raw fetch: shared blobs uploaded once and mounted
 * into every repository, distinct manifests made cheap by an annotation.
 */
import { digestOf } from "../fixtures/images.ts";

/** The shape of the filled registry. */
export interface FillPlan {
  repositories: number;
  tagsPerRepository: number;
  /** Every `listEvery`-th tag of a repository is an image index. */
  listEvery: number;
  childrenPerList: number;
}

/** What was pushed: counts a complete snapshot must show. */
export interface FillResult {
  repositories: string[];
  tags: number;
  lists: number;
  /** Untagged child manifests (each in one repository). */
  children: number;
}

const OCI = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
};

const encoder = new TextEncoder();

async function expect(res: Response, want: number, what: string): Promise<Response> {
  if (res.status !== want) {
    throw new Error(`${what}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
  await res.body?.cancel();
  return res;
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Pushes `plan` into the registry at `url` (http://host:port); repositories `bench/rNNN`. */
export async function fillRegistry(url: string, plan: FillPlan): Promise<FillResult> {
  const layer = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff);
  const config = encoder.encode(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [digestOf(layer)] },
  }));
  const blobs = [config, layer].map((bytes) => ({ bytes, digest: digestOf(bytes) }));
  const repos = Array.from(
    { length: plan.repositories },
    (_, i) => `bench/r${String(i).padStart(3, "0")}`,
  );
  const first = repos[0]!;
  for (const b of blobs) {
    const post = await expect(
      await fetch(`${url}/v2/${first}/blobs/uploads/`, { method: "POST" }),
      202,
      "start upload",
    );
    const loc = new URL(post.headers.get("Location")!, url);
    loc.searchParams.set("digest", b.digest);
    await expect(await fetch(loc, { method: "PUT", body: b.bytes }), 201, "upload blob");
  }
  const image = (name: string) => {
    const bytes = encoder.encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI.manifest,
      config: { mediaType: OCI.config, digest: blobs[0]!.digest, size: config.length },
      layers: [{ mediaType: OCI.layer, digest: blobs[1]!.digest, size: layer.length }],
      annotations: { "org.example.name": name },
    }));
    return { bytes, digest: digestOf(bytes), mediaType: OCI.manifest };
  };
  const put = async (
    repo: string,
    ref: string,
    m: { bytes: Uint8Array<ArrayBuffer>; mediaType: string },
  ) => {
    await expect(
      await fetch(`${url}/v2/${repo}/manifests/${ref}`, {
        method: "PUT",
        headers: { "Content-Type": m.mediaType },
        body: m.bytes,
      }),
      201,
      `put ${repo}:${ref}`,
    );
  };
  let lists = 0;
  let children = 0;
  await pool(repos, 16, async (repo) => {
    if (repo !== first) {
      for (const b of blobs) {
        await expect(
          await fetch(`${url}/v2/${repo}/blobs/uploads/?mount=${b.digest}&from=${first}`, {
            method: "POST",
          }),
          201,
          `mount into ${repo}`,
        );
      }
    }
    for (let t = 0; t < plan.tagsPerRepository; t++) {
      const tag = `v1.${t}`;
      if (t % plan.listEvery !== 0) {
        await put(repo, tag, image(`${repo}:${tag}`));
        continue;
      }
      const kids = Array.from(
        { length: plan.childrenPerList },
        (_, k) => image(`${repo}:${tag}#${k}`),
      );
      for (const kid of kids) await put(repo, kid.digest, kid);
      const bytes = encoder.encode(JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.index,
        manifests: kids.map((k, n) => ({
          mediaType: k.mediaType,
          digest: k.digest,
          size: k.bytes.length,
          platform: { architecture: `arch${n}`, os: "linux" },
        })),
      }));
      await put(repo, tag, { bytes, mediaType: OCI.index });
      lists++;
      children += kids.length;
    }
  });
  return {
    repositories: repos,
    tags: plan.repositories * plan.tagsPerRepository,
    lists,
    children,
  };
}
