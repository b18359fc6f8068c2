/**
 * Fixtures for promotion against real registries: a staging set pushed by the tests (Docker
 * schema 2 and OCI, unusual whitespace, multi-arch indexes with untagged children, shared
 * layers, an untagged image), manifests written to disk, and independent checks of what a
 * destination serves.
 */
import assert from "node:assert/strict";
import {
  digestOf,
  type ImageFixture,
  type IndexFixture,
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
  randomBytes,
} from "../fixtures/images.ts";
import {
  imagesYaml,
  type ImageText,
  plainManifest,
  registriesYaml,
} from "../fixtures/manifest_text.ts";
import { writeTree } from "../manifest/fixtures.ts";

/** All manifest media types, for Accept headers. */
const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** The staging set: image name -> digest -> tags it should get, and the fixtures. */
export interface Staging {
  /** What a manifest promotes: image -> digest -> tags. */
  dmap: Record<string, Record<string, string[]>>;
  app: ImageFixture;
  tool: ImageFixture;
  multi: IndexFixture;
  dlist: IndexFixture;
  bare: ImageFixture;
  /** Another image in `app`'s repository, untagged, for tag moves. */
  app2: ImageFixture;
}

/** Pushes the staging set to `url` under `prefix`. */
export async function pushStaging(url: string, prefix: string): Promise<Staging> {
  const shared = randomBytes(777, 4096);
  const app = makeImage({ layers: [shared, randomBytes(1, 3000)], mediaType: "docker", seed: 1 });
  const tool = makeImage({
    layers: [shared, randomBytes(2, 5000)],
    mediaType: "oci",
    whitespace: "unusual",
    seed: 2,
  });
  const kids = ["amd64", "arm64", "s390x"].map((architecture, i) =>
    makeImage({
      layers: 2,
      mediaType: "oci",
      seed: 10 + i,
      platform: { architecture, os: "linux" },
    })
  );
  const multi = makeIndex(kids, "oci", "unusual");
  const dkids = ["amd64", "arm64"].map((architecture, i) =>
    makeImage({
      layers: 1,
      mediaType: "docker",
      seed: 20 + i,
      platform: { architecture, os: "linux" },
    })
  );
  const dlist = makeIndex(dkids, "docker");
  const bare = makeImage({ layers: 1, mediaType: "oci", seed: 30, whitespace: "unusual" });
  const app2 = makeImage({ layers: 1, mediaType: "docker", seed: 40 });
  await pushImage(url, `${prefix}/app`, app, ["1.0"]);
  await pushImage(url, `${prefix}/app`, app2, []);
  await pushImage(url, `${prefix}/tool`, tool, ["2.0"]);
  await pushIndex(url, `${prefix}/multi`, multi, ["v1"]);
  await pushIndex(url, `${prefix}/dlist`, dlist, ["v1"]);
  await pushImage(url, `${prefix}/bare`, bare, []);
  const dmap: Staging["dmap"] = {
    app: { [app.manifest.digest]: ["1.0", "latest"] },
    tool: { [tool.manifest.digest]: ["2.0"] },
    multi: {
      [multi.manifest.digest]: ["v1"],
      ...Object.fromEntries(kids.map((k) => [k.manifest.digest, []])),
    },
    dlist: { [dlist.manifest.digest]: ["v1"] },
    bare: { [bare.manifest.digest]: [] },
  };
  return { dmap, app, tool, multi, dlist, bare, app2 };
}

/** The images of a staging dmap as manifest text entries. */
function imagesOf(dmap: Staging["dmap"]): ImageText[] {
  return Object.entries(dmap).map(([name, digests]) => ({ name, dmap: digests }));
}

/** Writes a plain manifest file and returns its path. */
export async function writeManifest(
  dir: string,
  src: string,
  dsts: string[],
  dmap: Staging["dmap"],
  name = "promoter-manifest.yaml",
): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, plainManifest(src, dsts, imagesOf(dmap)));
  return path;
}

/** Writes a thin manifest directory with one sub-manifest and returns its path. */
export async function writeThinDir(
  dir: string,
  src: string,
  dsts: string[],
  dmap: Staging["dmap"],
): Promise<string> {
  const root = `${dir}/thin`;
  await writeTree(root, {
    "manifests/sub/promoter-manifest.yaml": registriesYaml(src, dsts),
    "images/sub/images.yaml": imagesYaml(imagesOf(dmap)),
  });
  return root;
}

/** Fetches a manifest's bytes by reference, or null on 404. */
export async function fetchManifest(url: string, repo: string, ref: string) {
  const res = await fetch(`${url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT } });
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  assert.equal(res.status, 200, `GET ${repo}:${ref}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The tags of a repository, sorted. */
export async function tagsOf(url: string, repo: string): Promise<string[]> {
  const res = await fetch(`${url}/v2/${repo}/tags/list`);
  if (res.status === 404) {
    await res.body?.cancel();
    return [];
  }
  return ((await res.json()).tags ?? []).sort();
}

/**
 * Checks that `url/prefix` serves every digest of `dmap` as bytes hashing to that digest, that
 * every tag points at its digest, and that the tags are exactly the wanted ones.
 */
export async function assertPromoted(
  url: string,
  prefix: string,
  dmap: Staging["dmap"],
): Promise<void> {
  for (const [name, digests] of Object.entries(dmap)) {
    const repo = `${prefix}/${name}`;
    const wanted: string[] = [];
    for (const [digest, tags] of Object.entries(digests)) {
      const bytes = await fetchManifest(url, repo, digest);
      assert.ok(bytes, `${repo}@${digest} is missing`);
      assert.equal(digestOf(bytes), digest, `${repo}@${digest} serves other bytes`);
      for (const tag of tags) {
        const tagged = await fetchManifest(url, repo, tag);
        assert.ok(tagged && digestOf(tagged) === digest, `${repo}:${tag} is not ${digest}`);
        wanted.push(tag);
      }
    }
    assert.deepEqual(await tagsOf(url, repo), wanted.sort(), `tags of ${repo}`);
  }
}

/**
 * The bundle of the one Sigstore bundle referrer the referrers tag schema index `sha256-<hex>`
 * lists for `digest` in `repo`.
 */
export async function storedBundle(url: string, repo: string, digest: string): Promise<Uint8Array> {
  const tag = `sha256-${digest.slice("sha256:".length)}`;
  const index = JSON.parse(new TextDecoder().decode((await fetchManifest(url, repo, tag))!));
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0].artifactType, "application/vnd.dev.sigstore.bundle.v0.3+json");
  const referrer = JSON.parse(
    new TextDecoder().decode((await fetchManifest(url, repo, index.manifests[0].digest))!),
  );
  assert.equal(referrer.subject.digest, digest);
  const res = await fetch(`${url}/v2/${repo}/blobs/${referrer.layers[0].digest}`);
  return new Uint8Array(await res.arrayBuffer());
}
