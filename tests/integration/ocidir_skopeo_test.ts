import assert from "node:assert/strict";
import { join } from "node:path";
import { OciDirBackend } from "../../src/registry/ocidir/backend.ts";
import { checkLayouts } from "../fixtures/check_layouts.ts";
import { digestOf } from "../fixtures/images.ts";
import { tempDir } from "../fixtures/temp_dirs.ts";
import { pushImage, putUnder, tinyImage, tinyIndex } from "../fixtures/tiny_images.ts";
import { skopeo } from "./skopeo.ts";
import { startRegistry } from "./registry_process.ts";

/** A root written by cip: `plain:1.0` and the multi-platform `multi/arch:2.0`. */
async function cipWritten() {
  const root = join(await tempDir("ocidir-skopeo-"), "reg");
  const b = new OciDirBackend(root);
  const plain = tinyImage("skopeo plain");
  const amd = tinyImage("skopeo amd64", "amd64");
  const arm = tinyImage("skopeo arm64", "arm64", "v8");
  const index = tinyIndex([amd, arm]);
  await pushImage(b, "plain", plain, ["1.0"]);
  await pushImage(b, "multi/arch", amd, []);
  await pushImage(b, "multi/arch", arm, []);
  await putUnder(b, "multi/arch", index, ["2.0"]);
  const children = [amd.manifest.digest, arm.manifest.digest];
  return { root, plain, index, children };
}

/** The digest of the manifest a registry serves for a reference, computed from its bytes. */
async function servedDigest(host: string, repo: string, ref: string): Promise<string> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, {
    headers: {
      Accept: "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json",
    },
  });
  assert.equal(res.status, 200);
  return digestOf(new Uint8Array(await res.arrayBuffer()));
}

Deno.test({
  name: "skopeo inspects the layouts cip writes, seeing the exact manifest bytes",
  async fn() {
    const { root, plain, index } = await cipWritten();
    const raw = await skopeo("inspect", "--raw", `oci:${root}/plain:1.0`);
    assert.equal(raw, new TextDecoder().decode(plain.manifest.bytes));
    const info = JSON.parse(await skopeo("inspect", `oci:${root}/plain:1.0`));
    assert.equal(info.Digest, plain.manifest.digest);
    assert.deepEqual(info.Layers, [plain.layer.digest]);
    const rawIndex = await skopeo("inspect", "--raw", `oci:${root}/multi/arch:2.0`);
    assert.equal(digestOf(new TextEncoder().encode(rawIndex)), index.digest);
  },
});

Deno.test({
  name:
    "skopeo copies cip's layouts into a registry preserving digests, and back into layouts cip reads",
  async fn() {
    const { root, plain, index, children } = await cipWritten();
    const registry = await startRegistry();
    try {
      const to = (r: string) => `docker://${registry.host}/${r}`;
      await skopeo(
        "copy",
        "--all",
        "--preserve-digests",
        "--dest-tls-verify=false",
        `oci:${root}/plain:1.0`,
        to("plain:1.0"),
      );
      await skopeo(
        "copy",
        "--all",
        "--preserve-digests",
        "--dest-tls-verify=false",
        `oci:${root}/multi/arch:2.0`,
        to("multi/arch:2.0"),
      );
      assert.equal(await servedDigest(registry.host, "plain", "1.0"), plain.manifest.digest);
      assert.equal(await servedDigest(registry.host, "multi/arch", "2.0"), index.digest);

      const back = join(await tempDir("ocidir-back-"), "reg");
      await Deno.mkdir(join(back, "multi"), { recursive: true }); // skopeo needs the parent
      await skopeo(
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        to("multi/arch:2.0"),
        `oci:${back}/multi/arch:2.0`,
      );
      await skopeo(
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        to("plain:1.0"),
        `oci:${back}/plain:1.0`,
      );
      const b = new OciDirBackend(back);
      assert.deepEqual(await b.listRepositories(""), ["multi/arch", "plain"]);
      assert.deepEqual(
        await checkLayouts(b),
        [
          `multi/arch:2.0@${index.digest}`,
          ...children.map((c) => `multi/arch@${c}`),
          `plain:1.0@${plain.manifest.digest}`,
        ].sort(),
      );
      assert.deepEqual(await b.getManifest("multi/arch", "2.0"), index);
      assert.deepEqual(await b.getManifest("plain", "1.0"), plain.manifest);
    } finally {
      await registry.stop();
    }
  },
});

Deno.test({
  name: "cip reads a layout skopeo wrote from another layout, with the same digests",
  async fn() {
    const { root, index, children } = await cipWritten();
    const other = join(await tempDir("ocidir-copy-"), "reg");
    await Deno.mkdir(join(other, "copied"), { recursive: true });
    await skopeo(
      "copy",
      "--all",
      "--preserve-digests",
      `oci:${root}/multi/arch:2.0`,
      `oci:${other}/copied:v2`,
    );
    await skopeo(
      "copy",
      "--all",
      "--preserve-digests",
      `oci:${root}/multi/arch:2.0`,
      `oci:${other}/copied:again`,
    );
    const b = new OciDirBackend(other);
    const listing = await b.listTags("copied");
    assert.deepEqual(listing.tags, ["again", "v2"]);
    assert.deepEqual([...listing.manifests!.keys()].sort(), [index.digest, ...children].sort());
    assert.deepEqual(
      await checkLayouts(b),
      [
        `copied:again@${index.digest}`,
        `copied:v2@${index.digest}`,
        ...children.map((c) => `copied@${c}`),
      ].sort(),
    );
    // cip adds to the layout skopeo wrote; skopeo still reads both.
    const extra = tinyImage("added by cip");
    await pushImage(b, "copied", extra, ["extra"]);
    const seen = JSON.parse(await skopeo("inspect", `oci:${other}/copied:extra`));
    assert.equal(seen.Digest, extra.manifest.digest);
    const rawIndex = await skopeo("inspect", "--raw", `oci:${other}/copied:v2`);
    assert.equal(digestOf(new TextEncoder().encode(rawIndex)), index.digest);
  },
});
