/**
 * `cip run` (the default mode): load manifests, compute edges, open the registries, read the
 * repositories the edges name, plan, print the plan, copy when confirmed, summarise.
 */
import {
  type EdgeSet,
  edgesOf,
  loadManifests,
  type RegistrySpec,
  type SkippedPart,
} from "../manifest/mod.ts";
import {
  completeInventories,
  type EdgeDecision,
  execute,
  type ExecuteResult,
  type ManifestCache,
  outcomeOf,
  plan as makePlan,
  planText,
  type RegistryLocation,
  reportJson,
  summaryLines,
} from "../promote/mod.ts";
import {
  type Backend,
  type Inventory,
  joinRepository,
  readRepositories,
  type Registries,
  type RetryPolicy,
} from "../registry/mod.ts";
import { describeError } from "../describe_error.ts";
import { VERSION } from "../version.ts";
import { manifestInput, type RunContext } from "./context.ts";
import { preSubmit, readPreSubmitFlags } from "./pre_submit.ts";
import { openRegistries } from "./registries.ts";
import { checkReportTarget, writeReport } from "./report_file.ts";
import { failForSkipped, logSkipped } from "./skipped.ts";

/** How the promote mode reaches registries (the real opener in production, fakes in tests). */
export interface RegistryAccess {
  /** Opens a registry by its manifest name, with the manifest's service account if any. */
  open(name: string, serviceAccount?: string): Promise<{ backend: Backend; prefix: string }>;
  /** Reads the named repositories of a backend (missing repositories are empty). */
  readRepositories(backend: Backend, repos: string[]): Promise<Inventory>;
  /** Checks that the credentials of every registry opened can be obtained (before copies). */
  verifyCredentials?(): Promise<void>;
  /** Request and byte counts of the traffic so far, for reports. */
  stats?(): unknown;
  /** The run's retry policy, by which copies that failed are started again. */
  policy?: RetryPolicy;
}

/** The real registry access of a run. */
function registryAccess(registries: Registries): RegistryAccess {
  return {
    open: (name, serviceAccount) => Promise.resolve(registries.open(name, serviceAccount)),
    readRepositories: (backend, repos) => readRepositories(backend, repos),
    verifyCredentials: () => registries.verifyCredentials(),
    stats: () => registries.stats.snapshot(),
    policy: registries.policy,
  };
}

/**
 * Runs the promotion mode: manifests, edges, the pre-submit step (checks in dry runs, scoping
 * to a change when asked), then the plan, and the copies with --confirm.
 */
export async function runPromote(ctx: RunContext): Promise<number> {
  const v = ctx.flags.values;
  const confirm = v.confirm === true;
  readPreSubmitFlags(ctx);
  if (typeof v.report === "string") await checkReportTarget(v.report);
  const registries = openRegistries(ctx);
  const loaded = await loadManifests(manifestInput(ctx.flags), ctx.log);
  const edgeSet = edgesOf(loaded);
  const skipped = loaded.problems.skipped;
  logSkipped(ctx, skipped);
  const pre = await preSubmit(ctx, {
    manifests: loaded.manifests,
    skipped,
    edges: edgeSet,
    dryRun: !confirm,
    openRegistry: (spec) => registries.open(spec.name, spec.serviceAccount),
  });
  const code = await promote(
    ctx,
    { ...edgeSet, edges: pre.edges },
    registryAccess(registries),
    skipped,
  );
  failForSkipped(ctx, skipped);
  return pre.failed || skipped.length > 0 ? Math.max(code, 1) : code;
}

/** Thrown when a registry cannot be opened or read before any copy. */
export class PromoteSetupError extends Error {
  /** `message` names the registry; the cause says why. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PromoteSetupError";
  }
}

/**
 * Plans and (with --confirm) executes the promotion of `edgeSet`; returns the exit code. The
 * parts of the manifests left out (`skipped`) are listed in the JSON report.
 */
export async function promote(
  ctx: RunContext,
  edgeSet: EdgeSet,
  access: RegistryAccess,
  skipped: readonly SkippedPart[] = [],
): Promise<number> {
  const { log, flags, io } = ctx;
  const confirm = flags.values.confirm === true;
  const json = flags.values["json-log-summary"] === true;
  const started = io.now();
  const { edges } = edgeSet;

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
  // A source that plainly is not there (a mistyped ocidir:// path) fails here, instead of
  // every image being reported as not found.
  const sources = new Set(edges.map((e) => e.src.name));
  await Promise.all([...sources].map(async (name) => {
    try {
      await backends.get(name)!.checkPresent();
    } catch (e) {
      throw new PromoteSetupError(`Cannot read source registry ${name}`, { cause: e });
    }
  }));

  // Read the destination repositories the edges name (tags there), then look up the digests
  // the listings do not show, at the destination and then at the source.
  const toRead = new Map<Backend, Set<string>>();
  for (const e of edges) {
    const backend = backends.get(e.dst.name)!;
    const loc = locations.get(e.dst.name)!;
    let repos = toRead.get(backend);
    if (!repos) toRead.set(backend, repos = new Set());
    repos.add(joinRepository(loc.prefix, e.image));
  }
  const inventories = new Map<string, Inventory>();
  const preRead: ManifestCache = new Map();
  await Promise.all([...toRead].map(async ([backend, repos]) => {
    let read: Inventory;
    try {
      read = await access.readRepositories(backend, [...repos].sort());
    } catch (e) {
      throw new PromoteSetupError(`Cannot read repositories of ${backend.display}`, { cause: e });
    }
    const into = inventories.get(backend.id) ?? new Map();
    for (const [repo, held] of read) into.set(repo, held);
    inventories.set(backend.id, into);
  }));
  const lookups = await completeInventories(edges, locations, backends, inventories, preRead);
  for (const f of lookups) {
    log.error(
      `Cannot look up ${f.registry}/${f.image}@${f.digest}: ${describeError(f.error)}` +
        (confirm ? "" : " (the dry run fails)"),
    );
  }

  const plan = makePlan({ edges, locations, inventories });
  if (!json) await io.stdout(planText(plan, confirm));
  const lost = new Map<string, { d: EdgeDecision; dsts: Set<string> }>();
  for (const d of plan.decisions) {
    if (d.decision !== "missing") continue;
    const k = `${d.edge.src.name}\0${d.edge.image}\0${d.edge.digest}`;
    const entry = lost.get(k) ?? { d, dsts: new Set<string>() };
    entry.dsts.add(d.edge.dst.name);
    lost.set(k, entry);
  }
  for (const { d, dsts } of lost.values()) {
    log.warn(
      `${d.edge.image}@${d.edge.digest} (${d.edge.pos.file}:${d.edge.pos.line}) is in ` +
        `neither ${d.edge.src.name} nor ${[...dsts].join(", ")}; it cannot be promoted`,
    );
  }
  for (const d of plan.decisions) {
    if (d.reason && d.decision !== "missing") {
      log.error(
        `Refusing ${d.edge.dst.name}/${d.edge.image}:${d.edge.tag ?? d.edge.digest}: ${d.reason}`,
      );
    }
  }

  let run: ExecuteResult | null = null;
  if (confirm) {
    if (plan.actions.length > 0 && access.verifyCredentials) {
      try {
        await access.verifyCredentials();
      } catch (e) {
        throw new PromoteSetupError("Cannot promote: credentials are missing", { cause: e });
      }
    }
    run = await execute(plan, {
      backends,
      log,
      terminal: io.stderrIsTerminal,
      now: io.now,
      copier: { preRead, ...(access.policy ? { policy: access.policy } : {}) },
    });
  }
  const outcome = outcomeOf(plan, run, confirm);

  for (const line of summaryLines(outcome)) log.info(line);
  if (run) log.info(copySummary(run));
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
  } else if (outcome.edges.every((e) => e.result === "present")) {
    log.info(`nothing to do: all ${edges.length} edges are already promoted`);
  }
  for (const w of warnings) log.warn(w);

  if (json || flags.values.report !== undefined) {
    const text = reportJson(plan, outcome, {
      version: VERSION,
      ...(run ? { copy: run.stats } : {}),
      transport: access.stats?.(),
      ms: io.now() - started,
      warnings,
      skipped,
    });
    if (json) await io.stdout(text);
    if (typeof flags.values.report === "string") await writeReport(flags.values.report, text);
  }
  return outcome.ok && (confirm || lookups.length === 0) ? 0 : 1;
}

/** One line on what the copies moved: blobs streamed, mounted, found, manifests stored. */
function copySummary(run: ExecuteResult): string {
  const s = run.stats;
  const mib = (s.bytesStreamed / 1048576).toFixed(1);
  return `copied ${s.blobsStreamed} blobs (${mib} MiB), mounted ${s.blobsMounted}, ` +
    `${s.blobsPresent} already there; stored ${s.manifestsPut} manifests and ` +
    `${s.tagsPut} more tags in ${(run.ms / 1000).toFixed(1)}s`;
}
