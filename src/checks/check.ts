/** The pre-submit check interface: what a check is, what it sees, and what it reports. */
import type { Edge, EdgeSet, Manifest, RegistrySpec } from "../manifest/mod.ts";
import type { BaseState } from "../manifest/git_base/mod.ts";
import type { ContentReader, OpenedRegistry } from "../registry/mod.ts";
import type { TrustSettings } from "../trust/mod.ts";

/** How bad a finding is: errors fail the run (exit 1), warnings are only printed. */
export type Severity = "error" | "warning";

/** One thing a check found, with the manifest file and line it concerns. */
export interface Finding {
  severity: Severity;
  /** One line saying what is wrong and what it concerns (image, digest, tag, registry). */
  message: string;
  /** The manifest file the finding concerns, as the manifests name it (omitted: all of them). */
  file?: string;
  /** 1-based line in `file` (omitted: the whole file). */
  line?: number;
}

/** Opens a manifest's registry for reading, with the registry's own credentials. */
export type RegistryOpener = (
  registry: RegistrySpec,
) => OpenedRegistry | Promise<OpenedRegistry>;

/** Everything a check may look at. Checks only read it; none sees another check's result. */
export interface CheckContext {
  /** The manifests as the change leaves them (the head). */
  manifests: Manifest[];
  /** The head's edges, redundant ones merged, overlaps listed. */
  edges: EdgeSet;
  /** The manifests at the git base, when a base is known. */
  base?: BaseState;
  /**
   * The head edges this change adds or changes (changedEdges against the base); when no base
   * is known, the edges the promotion would copy (all head edges when the caller gave none).
   * Checks that read registries look only at these.
   */
  changed: Edge[];
  /** Opens registries for reading, when this run may read registries. */
  openRegistry?: RegistryOpener;
  /** The run's reader of registry contents, shared with the promotion (default: one per check). */
  reader?: ContentReader;
  /** The largest image the image-size check allows, in bytes. */
  maxImageSizeBytes: number;
  /** Debug detail from checks goes here (never findings). */
  debug: (message: string) => void;
  /** The run's signature policies and trusted root (the signatures check). */
  trust?: TrustSettings;
}

/** A condition a run must meet for a check to apply, with the words that describe it. */
export interface Condition {
  /** Completes "needs ...", e.g. `a git base (--diff-base ...)`. */
  describe: string;
  holds: (ctx: CheckContext) => boolean;
}

/** One pre-submit check: a name, what it checks, when it applies, and how it runs. */
export interface Check {
  /** Lowercase, dash-separated; what `--checks` and `--skip-checks` take. */
  name: string;
  /** One line for `--list-checks`. */
  description: string;
  /** All of these must hold for the check to run; otherwise it is skipped (and says why). */
  when: readonly Condition[];
  /** Off by default: it runs only when `--checks` names it. */
  optIn?: boolean;
  /** Runs the check; throwing makes the check fail with an error finding, others go on. */
  run: (ctx: CheckContext) => Promise<Finding[]>;
}

/** Applies when the manifests at a git base are known. */
export const HAS_GIT_BASE: Condition = {
  describe: "a git base (--diff-base, --use-prow-manifest-diff or --manifest-diff-since)",
  holds: (ctx) => ctx.base !== undefined,
};

/** Applies when registries can be read in this run. */
export const CAN_READ_REGISTRIES: Condition = {
  describe: "registries that can be read",
  holds: (ctx) => ctx.openRegistry !== undefined,
};
