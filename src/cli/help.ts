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
  cip run --manifest=promoter-manifest.yaml --parse-only     # validate, no network
  cip run --thin-manifest-dir=k8s.gcr.io                     # dry run: print the plan
  cip run --thin-manifest-dir=k8s.gcr.io --confirm --key-files=sa.json
  cip run --thin-manifest-dir=k8s.gcr.io --diff-base=origin/main   # pre-submit checks
  cip run --thin-manifest-dir=k8s.gcr.io --trusted-root=trusted_root.json \
      --certificate-identity-regexp='^https://github\.com/kubernetes/.*' \
      --certificate-oidc-issuer=https://token.actions.githubusercontent.com   # signed only
  cip run --snapshot=us-docker.pkg.dev/k8s-artifacts-prod/images --output=csv
`;

const EXIT_CODES = `Exit codes:
  0  success
  1  the run failed (a registry error, a refused tag move or unsigned image, a failed check)
  2  bad usage or invalid manifests
`;

/** The width help text is wrapped to. */
const WIDTH = 96;

/** Splits text into lines of at most `width` characters at spaces (longer words stay whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

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
      for (const line of wrap(`${f.help}${dflt}`, WIDTH - 6)) lines.push(`      ${line}`);
    }
    lines.push("");
  }
  lines.push(EXAMPLES, EXIT_CODES);
  return lines.join("\n");
}
