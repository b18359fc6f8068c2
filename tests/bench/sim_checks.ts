/**
 * What the Kubernetes simulation checks before it reports a time: the plan cip printed lists
 * exactly the expected copies (and no tag, missing or refused line), and the simulated
 * registries hold every placement afterwards (manifest, tags, children, blobs), read from the
 * fakes' own state, not through cip.
 */
import type { SimHost } from "../fakes/sim_servers.ts";
import type { Placement } from "./k8s_sim_tree.ts";

/** The plan text's copies (`registry image@digest`), and how many other lines it had. */
export interface PlanLines {
  copies: string[];
  tags: number;
  notFound: number;
  refused: number;
}

/** Reads the plan cip prints to stdout (planText in src/promote/report.ts). */
export function readPlan(stdout: string): PlanLines {
  const out: PlanLines = { copies: [], tags: 0, notFound: 0, refused: 0 };
  let registry = "";
  let section = "";
  for (const line of stdout.split("\n")) {
    const head = /^(\S+) \(from .*\):$/.exec(line);
    if (head) {
      registry = head[1]!;
      section = "";
      continue;
    }
    const sec =
      /^ {2}(to copy|to tag|not found in the source or the destination|refused|already present)/
        .exec(line);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    if (!line.startsWith("    ")) continue;
    if (section === "to copy") {
      const m = /^ {4}(\S+@sha256:[0-9a-f]{64}) /.exec(line);
      if (!m) throw new Error(`unexpected plan line: ${line}`);
      out.copies.push(`${registry} ${m[1]}`);
    } else if (section === "to tag") out.tags++;
    else if (section.startsWith("not found")) out.notFound++;
    else if (section === "refused") out.refused++;
  }
  out.copies.sort();
  return out;
}

/** Throws unless the plan lists exactly `expected` copies and nothing else to do. */
export function checkPlan(plan: PlanLines, expected: readonly string[], what: string): void {
  const want = new Set(expected);
  const got = new Set(plan.copies);
  const extra = plan.copies.filter((c) => !want.has(c));
  const lacking = expected.filter((c) => !got.has(c));
  const problems: string[] = [];
  if (extra.length > 0) problems.push(`${extra.length} unexpected copies, e.g. ${extra[0]}`);
  if (lacking.length > 0) problems.push(`${lacking.length} copies left out, e.g. ${lacking[0]}`);
  if (plan.copies.length !== got.size) problems.push("copies listed twice");
  if (plan.tags + plan.notFound + plan.refused > 0) {
    problems.push(`${plan.tags} tags to add, ${plan.notFound} not found, ${plan.refused} refused`);
  }
  if (problems.length > 0) {
    throw new Error(`${what}: the plan is wrong: ${problems.join("; ")}`);
  }
}

/**
 * Problems with what the hosts hold, for every placement: the digest in its repository, each
 * tag on it, every child and blob there. At most `limit` are returned.
 */
export function layoutProblems(
  hosts: ReadonlyMap<string, SimHost>,
  placements: readonly Placement[],
  limit = 10,
): string[] {
  const problems: string[] = [];
  for (const p of placements) {
    if (problems.length >= limit) break;
    const host = hosts.get(p.host)!;
    const repo = host.state.repos.get(p.repo);
    const where = `${p.host}/${p.repo}@${p.digest}`;
    if (!repo?.manifests.has(p.digest)) {
      problems.push(`${where} is missing`);
      continue;
    }
    for (const t of p.tags) {
      if (repo.tags.get(t) !== p.digest) problems.push(`${where}: tag ${t} is ${repo.tags.get(t)}`);
    }
    const m = host.state.store.manifests.get(p.digest)!;
    for (const c of m.children) {
      if (!repo.manifests.has(c)) problems.push(`${where}: child ${c} is missing`);
      const child = host.state.store.manifests.get(c)!;
      for (const b of child.blobs) {
        if (!host.state.holdsBlob(p.repo, b)) problems.push(`${where}: child's blob ${b} missing`);
      }
    }
    for (const b of m.blobs) {
      if (!host.state.holdsBlob(p.repo, b)) problems.push(`${where}: blob ${b} is missing`);
    }
  }
  return problems;
}
