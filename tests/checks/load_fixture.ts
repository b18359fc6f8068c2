/** Loads a plain manifest given as text, the way `cip` loads files. */
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { loadManifests, type Manifest } from "../../src/manifest/mod.ts";

/** Writes `text` to a temporary file, loads it, and removes the file. */
export async function loadFixture(text: string): Promise<Manifest[]> {
  const dir = await Deno.makeTempDir({ prefix: "cip-fixture-" });
  try {
    const file = join(dir, "promoter-manifest.yaml");
    await Deno.writeTextFile(file, text);
    return (await loadManifests({ manifest: file }, new Logger("error", () => {}))).manifests;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
