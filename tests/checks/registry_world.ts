/** A real docker-registry holding a staging area of fixture images, for check tests. */
import { join } from "node:path";
import {
  type ImageFixture,
  type IndexFixture,
  makeImage,
  makeIndex,
  pushImage,
  pushIndex,
} from "../fixtures/images.ts";
import { type RegistryProcess, startRegistry } from "../integration/registry_process.ts";

/** The registry and what the staging area `stage/` holds. */
export interface World {
  reg: RegistryProcess;
  /** `127.0.0.1:PORT/stage`, the source registry name. */
  src: string;
  /** Two destination registry names on the same registry: `.../prod-a`, `.../prod-b`. */
  dsts: [string, string];
  /** Small single-platform images, pushed to `stage/<image>` by digest. */
  small: (image: string, seed: number) => Promise<ImageFixture>;
  /** Stops the registry and removes its storage. */
  stop(): Promise<void>;
}

/** Starts a registry with an empty staging area. */
export async function world(): Promise<World> {
  const reg = await startRegistry();
  return {
    reg,
    src: `${reg.host}/stage`,
    dsts: [`${reg.host}/prod-a`, `${reg.host}/prod-b`],
    small: async (image, seed) => {
      const fixture = makeImage({ layers: 1, layerSize: 512, mediaType: "oci", seed });
      await pushImage(reg.url, `stage/${image}`, fixture, []);
      return fixture;
    },
    stop: () => reg.stop(),
  };
}

/** Pushes an image of three 8 KiB layers (about 24 KiB in all) to `stage/<image>`. */
export async function pushBig(w: World, image: string, seed: number): Promise<ImageFixture> {
  const big = makeImage({ layers: 3, layerSize: 8192, mediaType: "docker", seed });
  await pushImage(w.reg.url, `stage/${image}`, big, []);
  return big;
}

/**
 * Pushes an index of two small images to `stage/<image>`, then makes the registry forget the
 * second child (a source broken behind the promoter's back).
 */
export async function pushBrokenIndex(
  w: World,
  image: string,
  seed: number,
): Promise<IndexFixture> {
  const platforms = [{ architecture: "amd64", os: "linux" }, {
    architecture: "arm64",
    os: "linux",
  }];
  const children = platforms.map((platform, i) =>
    makeImage({ layers: 1, layerSize: 256, mediaType: "oci", seed: seed + i, platform })
  );
  const index = makeIndex(children, "oci");
  await pushIndex(w.reg.url, `stage/${image}`, index, []);
  await forgetManifest(w.reg, `stage/${image}`, children[1]!.manifest.digest);
  return index;
}

/** Removes a manifest from a repository in the registry's storage. */
export async function forgetManifest(
  reg: RegistryProcess,
  repo: string,
  digest: string,
): Promise<void> {
  const hex = digest.slice("sha256:".length);
  await Deno.remove(
    join(
      reg.dir,
      "storage/docker/registry/v2/repositories",
      repo,
      "_manifests/revisions/sha256",
      hex,
    ),
    { recursive: true },
  );
}
