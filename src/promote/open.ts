/**
 * Step 1 of a promotion: open every registry the edges name (credentials are chosen here,
 * before any copy), and make sure every source is there at all.
 */
import type { Edge, RegistrySpec } from "../manifest/mod.ts";
import type { Backend } from "../registry/mod.ts";
import { PromoteSetupError, type RegistryAccess } from "./access.ts";
import type { RegistryLocation } from "./plan.ts";

/** The registries of one promotion, by the names the manifests give them. */
export interface PromotionRegistries {
  /** Registry name -> its backend (what execution reads and writes). */
  backends: Map<string, Backend>;
  /** Registry name -> the backend's id and the repository prefix (what the plan compares). */
  locations: Map<string, RegistryLocation>;
}

/**
 * Opens the source and destination of every edge, once per registry name; throws
 * PromoteSetupError naming the registry that cannot be opened, or the source that cannot be
 * read: a source that plainly is not there (a mistyped `ocidir://` path) fails here, instead of
 * every image being reported as not found.
 */
export async function openRegistries(
  edges: readonly Edge[],
  access: RegistryAccess,
): Promise<PromotionRegistries> {
  const specs = new Map<string, RegistrySpec>();
  for (const e of edges) {
    for (const r of [e.src, e.dst]) if (!specs.has(r.name)) specs.set(r.name, r);
  }
  const opened: PromotionRegistries = { backends: new Map(), locations: new Map() };
  await Promise.all([...specs.values()].map(async (spec) => {
    let registry;
    try {
      registry = await access.open(spec.name, spec.serviceAccount);
    } catch (e) {
      throw new PromoteSetupError(`Cannot open registry ${spec.name}`, { cause: e });
    }
    opened.locations.set(spec.name, { backendId: registry.backend.id, prefix: registry.prefix });
    opened.backends.set(spec.name, registry.backend);
  }));
  const sources = new Set(edges.map((e) => e.src.name));
  await Promise.all([...sources].map(async (name) => {
    try {
      await opened.backends.get(name)!.checkPresent();
    } catch (e) {
      throw new PromoteSetupError(`Cannot read source registry ${name}`, { cause: e });
    }
  }));
  return opened;
}
