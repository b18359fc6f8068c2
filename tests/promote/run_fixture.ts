/** Plans and executes promotions over MemoryBackends, as the CLI does over real registries. */
import { recordingPolicy } from "../fakes/retry_policy.ts";
import type { Edge } from "../../src/manifest/types.ts";
import { Logger } from "../../src/log.ts";
import type { RegistryAccess } from "../../src/promote/access.ts";
import { execute, type ExecuteResult } from "../../src/promote/execute.ts";
import { takeInventory } from "../../src/promote/inventory.ts";
import { openRegistries } from "../../src/promote/open.ts";
import { type Plan, plan } from "../../src/promote/plan.ts";
import type { Inventory, RepoInventory } from "../../src/registry/inventory_types.ts";
import type { MemoryBackend } from "../fakes/memory_backend.ts";

/** Registry name -> backend and prefix. */
export type Registries = Record<string, { backend: MemoryBackend; prefix: string }>;

/** Reads the tags of each repository the way an inventory reader does (list, then HEAD). */
export async function readInventory(b: MemoryBackend, repos: string[]): Promise<Inventory> {
  const inv: Inventory = new Map();
  for (const repo of repos) {
    const held: RepoInventory = new Map();
    for (const tag of (await b.listTags(repo)).tags) {
      const d = await b.headManifest(repo, tag);
      if (!d) continue;
      const r = held.get(d.digest) ?? { digest: d.digest, tags: [], mediaType: d.mediaType };
      r.tags.push(tag);
      held.set(d.digest, r);
    }
    inv.set(repo, held);
  }
  return inv;
}

/** How a promotion reaches these registries; repositories are read as readInventory does. */
export function accessOf(regs: Registries): RegistryAccess {
  return {
    open: (name) => {
      const r = regs[name];
      return r ? Promise.resolve(r) : Promise.reject(new Error(`unknown registry ${name}`));
    },
    readRepositories: (b, repos) => readInventory(b as MemoryBackend, repos),
  };
}

/** Builds the plan of `edges` as the promotion pipeline does: open, inventory, plan. */
export async function planOver(regs: Registries, edges: Edge[]): Promise<Plan> {
  const access = accessOf(regs);
  const registries = await openRegistries(edges, access);
  const { inventories, lookups } = await takeInventory(edges, registries, access);
  return plan({ edges, locations: registries.locations, inventories, lookups });
}

/** Executes a plan with a quiet logger and no real waits; returns the result and log text. */
export async function executeOver(
  regs: Registries,
  p: Plan,
  sleeps: number[] = [],
): Promise<ExecuteResult & { log: string }> {
  let log = "";
  const r = await execute(p, {
    backends: new Map(Object.entries(regs).map(([n, x]) => [n, x.backend])),
    log: new Logger("info", (t) => log += t, false, () => 0),
    now: () => 0,
    copier: { policy: recordingPolicy(sleeps) },
  });
  return { ...r, log };
}
