/** Which git revision a run compares the manifests with, from flags and Prow's environment. */

/** The flags and environment that can name a base (pure input). */
export interface BaseFlags {
  diffBase?: string;
  useProwManifestDiff?: boolean;
  manifestDiffSince?: string;
}

/** How to find the base: a revision git resolves, or the last commit before a date. */
export type BaseRequest =
  | { kind: "rev"; rev: string; scope: boolean; why: string }
  | { kind: "since"; date: string; scope: true; why: string };

/** The flags or Prow's environment do not name a base in a way that can be used. */
export class DiffBaseError extends Error {
  /** `message` says which flags or variables are wrong. */
  constructor(message: string) {
    super(message);
    this.name = "DiffBaseError";
  }
}

/**
 * Decides the base from the flags: `--diff-base=REV` (checks only), `--use-prow-manifest-diff`
 * (Prow's `JOB_TYPE`: presubmit or batch -> `PULL_BASE_SHA`, postsubmit -> `HEAD^`; scoped
 * promotion), `--manifest-diff-since=DATE` (scoped promotion). Null when none is given.
 */
export function baseRequest(
  flags: BaseFlags,
  env: (name: string) => string | undefined,
): BaseRequest | null {
  const given = [
    flags.diffBase !== undefined ? "--diff-base" : "",
    flags.useProwManifestDiff ? "--use-prow-manifest-diff" : "",
    flags.manifestDiffSince !== undefined ? "--manifest-diff-since" : "",
  ].filter((s) => s !== "");
  if (given.length > 1) {
    throw new DiffBaseError(`${given.join(" and ")} cannot be used together`);
  }
  if (flags.diffBase !== undefined) {
    return { kind: "rev", rev: flags.diffBase, scope: false, why: "--diff-base" };
  }
  if (flags.manifestDiffSince !== undefined) {
    return {
      kind: "since",
      date: flags.manifestDiffSince,
      scope: true,
      why: "--manifest-diff-since",
    };
  }
  if (!flags.useProwManifestDiff) return null;
  const jobType = env("JOB_TYPE");
  if (jobType === "presubmit" || jobType === "batch") {
    const sha = env("PULL_BASE_SHA");
    if (sha === undefined || sha === "") {
      throw new DiffBaseError(
        `--use-prow-manifest-diff in a ${jobType} job needs PULL_BASE_SHA, which is not set`,
      );
    }
    return { kind: "rev", rev: sha, scope: true, why: `PULL_BASE_SHA of a ${jobType} job` };
  }
  if (jobType === "postsubmit") {
    return { kind: "rev", rev: "HEAD^", scope: true, why: "HEAD^ of a postsubmit job" };
  }
  throw new DiffBaseError(
    "--use-prow-manifest-diff needs JOB_TYPE to be presubmit, batch or postsubmit, " +
      `not ${jobType === undefined ? "unset" : `"${jobType}"`}`,
  );
}
