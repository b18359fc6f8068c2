/**
 * `cip run` (the default mode): load manifests, compute edges, open the registries, read the
 * repositories the edges name, plan, print the plan, copy when confirmed, summarise.
 */
import type { EdgeSet } from "../manifest/mod.ts";
import type { RegistrySpec } from "../manifest/types.ts";
import {
  completeInventories,
  describeError,
  execute,
  type ExecuteResult,
  outcomeOf,
  plan as makePlan,
  planText,
  type RegistryLocation,
  reportJson,
  reposToRead,
  summaryLines,
} from "../promote/mod.ts";
import type { Backend } from "../registry/api.ts";
import type { Inventory } from "../registry/inventory_types.ts";
import { VERSION } from "../version.ts";
import type { RunContext } from "./context.ts";

/** How the promote mode reaches registries (the real opener in production, fakes in tests). */
export interface RegistryAccess {
  /** Opens a registry by its manifest name, with the manifest's service account if any. */
  open(name: string, serviceAccount?: string): Promise<{ backend: Backend; prefix: string }>;
  /** Reads the named repositories of a backend (missing repositories are empty). */
  readRepositories(backend: Backend, repos: string[]): Promise<Inventory>;
  /** Request and byte counts of the traffic so far, for reports. */
  stats?(): unknown;
}

/** Thrown when a registry cannot be opened or read before any copy. */
export class PromoteSetupError extends Error {
  /** `message` names the registry; the cause says why. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PromoteSetupError";
  }
}

/** Plans and (with --confirm) executes the promotion of `edgeSet`; returns the exit code. */
export async function promote(
  ctx: RunContext,
  edgeSet: EdgeSet,
  access: RegistryAccess,
): Promise<number> {
  const { log, flags, io } = ctx;
  const confirm = flags.values.confirm === true;
  const json = flags.values["json-log-summary"] === true;
  const started = io.now();
  const { edges, overlaps } = edgeSet;

  // Open every registry the edges name (credentials are checked here, before any copy).
  const specs = new Map<string, RegistrySpec>();
  for (const e of edges) {
    for (const r of [e.src, e.dst]) if (!specs.has(r.name)) specs.set(r.name, r);
  }
  const locations = new Map<string, RegistryLocation>();
  const backends = new Map<string, Backend>();
  await Promise.all([...specs.values()].map(async (spec) => {
    let opened;
    try {
      opened = await access.open(spec.name, spec.serviceAccount);
    } catch (e) {
      throw new PromoteSetupError(`Cannot open registry ${spec.name}`, { cause: e });
    }
    locations.set(spec.name, { backendId: opened.backend.id, prefix: opened.prefix });
    backends.set(spec.name, opened.backend);
  }));

  // Read only the repositories the edges name, then the untagged digests they want.
  const byId = new Map([...backends.values()].map((b) => [b.id, b]));
  const inventories = new Map<string, Inventory>();
  await Promise.all([...reposToRead(edges, locations)].map(async ([id, repos]) => {
    const backend = byId.get(id);
    if (!backend) return;
    try {
      inventories.set(id, await access.readRepositories(backend, repos));
    } catch (e) {
      throw new PromoteSetupError(`Cannot read repositories of ${backend.display}`, { cause: e });
    }
  }));
  try {
    await completeInventories(edges, locations, backends, inventories);
  } catch (e) {
    throw new PromoteSetupError("Cannot look up the digests the manifests name", { cause: e });
  }

  const plan = makePlan({ edges, overlaps, locations, inventories });
  // Pre-submit checks, when asked for, run here: on the finished plan, before it is printed.
  if (!json) await io.stdout(planText(plan, confirm));
  for (const d of plan.decisions) {
    if (d.decision === "missing") {
      log.warn(
        `${d.edge.image}@${d.edge.digest} (${d.edge.pos.file}:${d.edge.pos.line}) is in ` +
          `neither ${d.edge.src.name} nor ${d.edge.dst.name}; it cannot be promoted`,
      );
    }
  }
  for (const d of plan.decisions) {
    if (d.reason && d.decision !== "missing") {
      log.error(
        `Refusing ${d.edge.dst.name}/${d.edge.image}:${d.edge.tag ?? d.edge.digest}: ${d.reason}`,
      );
    }
  }

  let run: ExecuteResult | null = null;
  if (confirm && plan.overlaps.length > 0) {
    log.error("Not promoting anything: the manifests have overlapping edges (see above)");
  } else if (confirm) {
    run = await execute(plan, { backends, log, terminal: io.stderrIsTerminal, now: io.now });
  }
  const outcome = outcomeOf(plan, run, confirm);

  for (const line of summaryLines(outcome)) log.info(line);
  for (const f of outcome.failures) {
    log.error(`Failed ${f.action.dst}/${f.action.image}@${f.action.digest}: ${f.error}`);
  }
  const warnings: string[] = [];
  const useful = outcome.edges.some((e) =>
    ["present", "planned", "copied", "tagged"].includes(e.result)
  );
  if (edges.length > 0 && !useful) {
    warnings.push(
      `nothing was promoted although the manifests name ${edges.length} edges: ` +
        "every image was missing, refused or failed",
    );
  } else if (edges.length === 0) {
    warnings.push("the manifests name no images: nothing to promote");
  }
  for (const w of warnings) log.warn(w);

  if (json || flags.values.report !== undefined) {
    const text = reportJson(plan, outcome, {
      version: VERSION,
      ...(run ? { copy: run.stats } : {}),
      transport: access.stats?.(),
      ms: io.now() - started,
      warnings,
    });
    if (json) await io.stdout(text);
    if (typeof flags.values.report === "string") await writeAtomically(flags.values.report, text);
  }
  return outcome.ok ? 0 : 1;
}

/** Writes a file via a temporary file in the same directory and a rename. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  const tmp = `${dir}/.${path.slice(slash + 1)}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot write the report to ${path}: ${describeError(e)}`, { cause: e });
  }
}
