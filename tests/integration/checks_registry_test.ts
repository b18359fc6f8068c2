/** The checks that read registries, against a real docker-registry filled with fixture images. */
import assert from "node:assert/strict";
import { imageSize } from "../../src/checks/image_size.ts";
import { manifestListChildren } from "../../src/checks/manifest_list_children.ts";
import { promotesNothing } from "../../src/checks/promotes_nothing.ts";
import { HttpBackend } from "../../src/registry/http/backend.ts";
import { plainHttpFetch } from "../../src/registry/http/http_fetch.ts";
import { lineOf, plainManifest } from "../fixtures/manifest_text.ts";
import { runCheck } from "../checks/run_check.ts";
import { makeImage, makeIndex, pushImage, pushIndex } from "../fixtures/images.ts";
import { startRegistry } from "./registry_process.ts";
import { forgetManifest } from "../checks/registry_world.ts";

Deno.test("registry checks read a real registry: sizes, missing children, nothing new", async () => {
  const reg = await startRegistry();
  try {
    const backend = new HttpBackend({ host: reg.host, fetch: plainHttpFetch() });
    const src = `${reg.host}/stage`;
    const dst = `${reg.host}/prod`;
    const registries = {
      [src]: { backend, prefix: "stage" },
      [dst]: { backend, prefix: "prod" },
    };
    const small = makeImage({ layers: 1, layerSize: 1024, mediaType: "oci", seed: 1 });
    const big = makeImage({ layers: 3, layerSize: 8192, mediaType: "docker", seed: 2 });
    const arm = makeImage({
      layers: 1,
      mediaType: "oci",
      seed: 3,
      platform: { architecture: "arm64", os: "linux" },
    });
    const index = makeIndex([small, arm], "oci");
    await pushImage(reg.url, "stage/app", small, ["small"]);
    await pushImage(reg.url, "stage/app", big, ["big"]);
    await pushIndex(reg.url, "stage/app", index, ["multi"]);
    await forgetManifest(reg, "stage/app", arm.manifest.digest);
    await pushImage(reg.url, "prod/app", small, ["small"]);

    const head = plainManifest(src, [dst], [{
      name: "app",
      dmap: {
        [small.manifest.digest]: ["small"],
        [big.manifest.digest]: ["big"],
        [index.manifest.digest]: ["multi"],
      },
    }]);

    // 0.02 MiB = 20971 bytes: the big image (3 x 8 KiB + config) is above, the small one below.
    const sizes = await runCheck(imageSize, { head, registries, maxImageSizeMiB: 0.02 });
    const bigSize = big.config.bytes.length + 3 * 8192;
    assert.deepEqual(sizes.findings.map((f) => [f.severity, f.line]), [
      ["error", lineOf(head, big.manifest.digest)],
    ]);
    assert.match(
      sizes.findings[0]!.message,
      new RegExp(
        `${big.manifest.digest} is ${(bigSize / 1024).toFixed(1)} KiB, more than the 20\\.5 KiB`,
      ),
    );

    const children = await runCheck(manifestListChildren, { head, registries });
    assert.equal(children.findings.length, 1);
    assert.match(
      children.findings[0]!.message,
      new RegExp(
        `child ${arm.manifest.digest} of the manifest list ${src}/app@${index.manifest.digest}`,
      ),
    );

    const base = plainManifest(src, [dst], [{
      name: "app",
      dmap: { [big.manifest.digest]: ["big"] },
    }]);
    const onlySmall = plainManifest(src, [dst], [{
      name: "app",
      dmap: { [big.manifest.digest]: ["big"], [small.manifest.digest]: ["small"] },
    }]);
    const nothing = await runCheck(promotesNothing, { base, head: onlySmall, registries });
    assert.equal(nothing.findings.length, 1);
    assert.match(nothing.findings[0]!.message, /already in every destination/);
    const something = await runCheck(promotesNothing, { base, head, registries });
    assert.deepEqual(something.findings, []);
  } finally {
    await reg.stop();
  }
});
