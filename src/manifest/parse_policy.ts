/**
 * Validation of the optional `policy:` block of a promoter manifest (pure): what a promotion
 * does about the signatures of the manifest's images, and whose signatures count.
 *
 * ```yaml
 * policy:
 *   mode: require          # off | warn | require
 *   identities:            # a signature counts when its certificate matches one entry
 *   - subject: https://github.com/org/repo/.github/workflows/build.yaml@refs/heads/main
 *     issuer: https://token.actions.githubusercontent.com
 *   - subject-regexp: ^builder@[a-z-]+\.iam\.gserviceaccount\.com$
 *     issuer: https://accounts.google.com
 * ```
 */
import { show } from "./problems.ts";
import { readFields } from "./strict_map.ts";
import type { ManifestPolicy, PolicyMatcher, PolicyMode } from "./types.ts";
import type { YamlFile, YamlNode } from "./yaml_reader.ts";

/** The policy modes, least strict first. */
export const POLICY_MODE_NAMES: readonly PolicyMode[] = ["off", "warn", "require"];

const POLICY_FIELDS = ["mode", "identities"] as const;
const IDENTITY_FIELDS = ["subject", "subject-regexp", "issuer", "issuer-regexp"] as const;

/**
 * Reads and validates a `policy:` block at `node` (field `policy`). Reports every problem at its
 * line; returns the policy only when it had none.
 */
export function parsePolicyBlock(y: YamlFile, node: YamlNode): ManifestPolicy | null {
  const before = y.problems.count;
  const field = "policy";
  const map = y.map(node, field, "a policy (a map with mode and identities)");
  if (!map) return null;
  const fields = readFields(y, map, field, POLICY_FIELDS);
  let mode: PolicyMode | null = null;
  const modeField = fields.get("mode");
  if (!modeField) {
    y.error(map, field, `'mode' field cannot be empty (expected ${POLICY_MODE_NAMES.join(", ")})`);
  } else {
    const text = y.string(modeField.value, modeField.field, POLICY_MODE_NAMES.join(", "));
    if (text !== null && !(POLICY_MODE_NAMES as readonly string[]).includes(text)) {
      y.error(
        modeField.value,
        modeField.field,
        `invalid mode: ${show(text)} (expected ${POLICY_MODE_NAMES.join(", ")})`,
      );
    } else if (text !== null) mode = text as PolicyMode;
  }
  const identities: ManifestPolicy["identities"] = [];
  const list = fields.get("identities");
  if (list && list.value !== null) {
    const seq = y.seq(list.value, list.field, "a list of identities");
    seq?.items.forEach((item, i) => {
      const where = `${list.field}[${i}]`;
      const entry = y.map(item, where, "an identity (a map with subject and issuer)");
      if (!entry) return;
      const f = readFields(y, entry, where, IDENTITY_FIELDS);
      const subject = matcher(y, f, "subject", where, entry);
      const issuer = matcher(y, f, "issuer", where, entry);
      if (subject && issuer) identities.push({ subject, issuer });
    });
  }
  if (mode !== null && mode !== "off" && identities.length === 0 && y.problems.count === before) {
    y.error(
      list?.pos ?? y.pos(map),
      field,
      `mode ${mode} needs at least one entry in 'identities' (whose signatures count)`,
    );
  }
  if (mode === null || y.problems.count > before) return null;
  return { mode, identities, pos: y.pos(map) };
}

/** One side of an identity: `name` (exact) or `name-regexp` (must match the whole text). */
function matcher(
  y: YamlFile,
  fields: ReturnType<typeof readFields>,
  name: "subject" | "issuer",
  where: string,
  at: Parameters<YamlFile["pos"]>[0],
): PolicyMatcher | null {
  const exact = fields.get(name);
  const regexp = fields.get(`${name}-regexp`);
  if (exact && regexp) {
    y.error(regexp.pos, where, `give '${name}' or '${name}-regexp', not both`);
    return null;
  }
  const chosen = exact ?? regexp;
  if (!chosen) {
    y.error(at, where, `'${name}' or '${name}-regexp' field cannot be empty`);
    return null;
  }
  const text = y.string(chosen.value, chosen.field, "a non-empty string");
  if (text === null) return null;
  if (text.trim() === "") {
    y.error(chosen.value, chosen.field, `'${chosen.key}' field cannot be empty`);
    return null;
  }
  if (exact) return { exact: text };
  try {
    new RegExp(`^(?:${text})$`);
  } catch (e) {
    y.error(
      chosen.value,
      chosen.field,
      `invalid regular expression ${show(text)}: ${e instanceof Error ? e.message : e}`,
    );
    return null;
  }
  return { regexp: text };
}
