/** The text of `cip --help`, generated from the flag table. */
import { FLAGS } from "./flags.ts";

const INTRO = `cip promotes container images from a staging registry to production registries,
as promoter manifests say, copying digests byte for byte. Dry run unless --confirm.

Usage:
  cip [run] --manifest=FILE [flags]
  cip [run] --thin-manifest-dir=DIR [flags]
  cip [run] --snapshot=REGISTRY[/PATH] [--output=yaml|csv|json] [flags]
  cip [run] --manifest-based-snapshot-of=REGISTRY --thin-manifest-dir=DIR [flags]
`;

const EXAMPLES = `Examples:
  cip run --manifest=promoter-manifest.yaml --parse-only
  cip run --thin-manifest-dir=k8s.gcr.io
  cip run --snapshot=us-docker.pkg.dev/k8s-artifacts-prod/images --output=csv
`;

const EXIT_CODES = `Exit codes:
  0  success
  1  the run failed (a registry error, a refused tag move, a failed check)
  2  bad usage or invalid manifests
`;

/** Renders the full help text: usage, every flag grouped with its default, examples. */
export function helpText(): string {
  const lines: string[] = [INTRO];
  const groups = [...new Set(FLAGS.map((f) => f.group))];
  for (const group of groups) {
    lines.push(`${group}:`);
    for (const f of FLAGS.filter((x) => x.group === group)) {
      const short = f.short ? `-${f.short}, ` : "";
      const value = f.value ? `=${f.value}` : "";
      const dflt = f.default !== undefined ? ` (default: ${f.default})` : "";
      lines.push(`  ${short}--${f.name}${value}`);
      lines.push(`      ${f.help}${dflt}`);
    }
    lines.push("");
  }
  lines.push(EXAMPLES, EXIT_CODES);
  return lines.join("\n");
}
