/** Plans and executes promotions over MemoryBackends, as the CLI does over real registries. */
import { recordingPolicy } from "../fakes/retry_policy.ts";
import type { Edge } from "../../src/manifest/types.ts";
import { Logger } from "../../src/log.ts";
import { completeInventories } from "../../src/promote/complete.ts";
import { execute, type ExecuteResult } from "../../src/promote/execute.ts";
import { type Plan, plan, type RegistryLocation, reposToRead } from "../../src/promote/plan.ts";
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

/** Builds the plan of `edges` the way the CLI does. */
export async function planOver(regs: Registries, edges: Edge[]): Promise<Plan> {
  const locations = new Map<string, RegistryLocation>();
  const backends = new Map<string, MemoryBackend>();
  for (const [name, r] of Object.entries(regs)) {
    locations.set(name, { backendId: r.backend.id, prefix: r.prefix });
    backends.set(name, r.backend);
  }
  const byId = new Map([...backends.values()].map((b) => [b.id, b]));
  const inventories = new Map<string, Inventory>();
  for (const [id, repos] of reposToRead(edges, locations)) {
    const b = byId.get(id);
    if (b) inventories.set(id, await readInventory(b, repos));
  }
  await completeInventories(edges, locations, backends, inventories);
  return plan({ edges, locations, inventories });
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
