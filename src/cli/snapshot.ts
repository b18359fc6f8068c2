/**
 * `cip run --snapshot=REGISTRY[/PATH]` and `--manifest-based-snapshot-of=REGISTRY`: the flags
 * become snapshot options, the snapshot pipeline (src/snapshot) takes the snapshot, and it is
 * printed as YAML, CSV or JSON.
 */
import { edgesOf, loadManifests } from "../manifest/mod.ts";
import { isTag, parseRegistryName, readRepositories, walkRegistry } from "../registry/mod.ts";
import {
  formatSnapshot,
  isOutputFormat,
  OUTPUT_FORMATS,
  type OutputFormat,
  type SnapshotAccess,
  snapshotOfEdges,
  snapshotOfRegistry,
  type SnapshotOptions,
} from "../snapshot/mod.ts";
import { manifestInput, type RunContext } from "./context.ts";
import type { Flags } from "./flags.ts";
import { registriesFromFlags } from "./registries.ts";
import { failForSkipped, logSkipped } from "./skipped.ts";
import { UsageError } from "./usage_error.ts";

/** The real registries, opened as the flags say, on first use. */
export function defaultSnapshotAccess(ctx: RunContext): SnapshotAccess {
  let registries: ReturnType<typeof registriesFromFlags> | undefined;
  return {
    open(name, serviceAccount) {
      registries ??= registriesFromFlags(ctx);
      return Promise.resolve(registries.open(name, serviceAccount));
    },
    walk: (backend, prefix, onProgress) =>
      walkRegistry(backend, prefix, (p) => onProgress(p.done, p.repositories)),
    read: (backend, repos) => readRepositories(backend, repos),
  };
}

/** The snapshot flags, checked: the pipeline's options and the output format. */
interface SnapshotFlags extends SnapshotOptions {
  format: OutputFormat;
}

/** Flags that only the snapshot modes read. */
const SNAPSHOT_ONLY = [
  "snapshot-tag",
  "minimal-snapshot",
  "snapshot-without-attachments",
  "output",
  "snapshot-service-account",
] as const;

/** Whether the flags ask for one of the snapshot modes. */
export function wantsSnapshot(flags: Flags): boolean {
  const v = flags.values;
  return v.snapshot !== undefined || v["manifest-based-snapshot-of"] !== undefined;
}

/** Refuses snapshot-only flags given to another mode. */
export function rejectSnapshotFlags(flags: Flags): void {
  for (const name of SNAPSHOT_ONLY) {
    if (flags.values[name] !== undefined) {
      throw new UsageError(
        `--${name} needs --snapshot or --manifest-based-snapshot-of`,
      );
    }
  }
}

/** Checks the snapshot flags and their combinations; throws UsageError. */
function snapshotOptions(flags: Flags): SnapshotFlags {
  const v = flags.values;
  const live = v.snapshot as string | undefined;
  const based = v["manifest-based-snapshot-of"] as string | undefined;
  const manifests = v.manifest !== undefined || v["thin-manifest-dir"] !== undefined;
  if (live !== undefined && based !== undefined) {
    throw new UsageError("--snapshot and --manifest-based-snapshot-of cannot be used together");
  }
  if (live !== undefined && manifests) {
    throw new UsageError(
      "--snapshot reads a registry, not manifests: leave out --manifest and --thin-manifest-dir " +
        "(or use --manifest-based-snapshot-of)",
    );
  }
  if (based !== undefined && !manifests) {
    throw new UsageError(
      "--manifest-based-snapshot-of needs --manifest or --thin-manifest-dir",
    );
  }
  if (v.manifest !== undefined && v["thin-manifest-dir"] !== undefined) {
    throw new UsageError("--manifest and --thin-manifest-dir cannot be used together");
  }
  for (const flag of ["confirm", "dry-run", "parse-only", "json-log-summary", "report"]) {
    if (v[flag] !== undefined) {
      throw new UsageError(`--${flag} cannot be used with a snapshot`);
    }
  }
  const registry = (live ?? based) as string;
  const parsed = parseRegistryName(registry);
  if ("error" in parsed) {
    throw new UsageError(
      `--${live !== undefined ? "snapshot" : "manifest-based-snapshot-of"}: ` +
        `"${registry}" is not a registry name: ${parsed.error}`,
    );
  }
  const format = (v.output as string | undefined) ?? "yaml";
  if (!isOutputFormat(format)) {
    throw new UsageError(
      `--output must be one of ${OUTPUT_FORMATS.join(", ")}, not "${format}"`,
    );
  }
  const tag = v["snapshot-tag"] as string | undefined;
  if (tag !== undefined && !isTag(tag)) {
    throw new UsageError(`--snapshot-tag: "${tag}" is not a valid tag`);
  }
  const opts: SnapshotFlags = { format, minimal: v["minimal-snapshot"] === true };
  if (v["snapshot-without-attachments"] === true) opts.withoutAttachments = true;
  if (tag !== undefined) opts.tag = tag;
  const sa = v["snapshot-service-account"] as string | undefined;
  if (sa !== undefined) opts.serviceAccount = sa;
  return opts;
}

/** Runs whichever snapshot mode the flags ask for; prints the snapshot only when complete. */
export async function runSnapshot(ctx: RunContext, access: SnapshotAccess): Promise<number> {
  const opts = snapshotOptions(ctx.flags);
  const v = ctx.flags.values;
  if (v.snapshot !== undefined) {
    const images = await snapshotOfRegistry(v.snapshot as string, access, opts, ctx.log);
    await ctx.io.stdout(formatSnapshot(images, opts.format));
    return 0;
  }
  // What a promotion run would promote: the parts of the manifests it would leave out for
  // their problems are left out here too, and fail the run.
  const loaded = await loadManifests(manifestInput(ctx.flags), ctx.log);
  const edgeSet = edgesOf(loaded);
  const skipped = loaded.problems.skipped;
  logSkipped(ctx, skipped);
  const registry = v["manifest-based-snapshot-of"] as string;
  const images = await snapshotOfEdges(edgeSet.edges, registry, access, opts, ctx.log);
  await ctx.io.stdout(formatSnapshot(images, opts.format));
  failForSkipped(ctx, skipped);
  return skipped.length > 0 ? 1 : 0;
}
