/**
 * Check `signatures`: every image the change promotes is signed as the signature policy of its
 * manifest asks (src/trust): under `require` an image whose signatures do not count is an
 * error, under `warn` a warning. The promotion's trust gate applies the same policies; this
 * check puts the failures on the manifest lines of a pull request. A child of a promoted index
 * is covered by the index's signature.
 */
import { ContentReader, joinRepository } from "../registry/mod.ts";
import { policyOf, trustProblem, verifyImageOrIndex } from "../trust/mod.ts";
import { CAN_READ_REGISTRIES, type Check, type Condition, type Finding } from "./check.ts";
import { sourceDigests } from "./_edge_keys.ts";
import { HeadLocator } from "./_locate.ts";

/** Applies when the run has a trusted root and a signature policy that is not `off`. */
const HAS_SIGNATURE_POLICY: Condition = {
  describe: "a signature policy (--signature-policy or a policy: block) and --trusted-root",
  holds: (ctx) =>
    ctx.trust?.root !== undefined &&
    ctx.manifests.some((m) => policyOf(m, ctx.trust!.run).mode !== "off"),
};

/** Reports images whose signatures do not satisfy their manifest's policy. */
export const signatures: Check = {
  name: "signatures",
  description: "Every promoted image is signed as its manifest's signature policy asks " +
    "(require: an error, warn: a warning). Reads the source registry.",
  when: [CAN_READ_REGISTRIES, HAS_SIGNATURE_POLICY],
  run: async (ctx) => {
    const trust = ctx.trust!;
    const locator = new HeadLocator(ctx.manifests);
    const reader = ctx.reader ?? new ContentReader();
    // The other digests of each image: an index among them covers its children.
    const digestsOf = new Map<string, Set<string>>();
    for (const e of ctx.edges.edges) {
      const k = `${e.src.name}\0${e.image}`;
      digestsOf.set(k, (digestsOf.get(k) ?? new Set()).add(e.digest));
    }
    const results = await Promise.all(
      sourceDigests(ctx.changed).map(async (e): Promise<Finding | null> => {
        const policy = policyOf(e.manifest, trust.run);
        if (policy.mode === "off") return null;
        const opened = await ctx.openRegistry!(e.src);
        const repo = joinRepository(opened.prefix, e.image);
        const digest = e.digest;
        const t = await verifyImageOrIndex(
          { backend: opened.backend, repo, digest },
          [...digestsOf.get(`${e.src.name}\0${e.image}`) ?? []],
          policy,
          trust.root!,
          reader,
          trust.done,
        );
        const problem = trustProblem(t);
        const ref = `${e.src.name}/${e.image}@${digest}`;
        if (problem === null) {
          ctx.debug(`signatures: ${ref} is signed by ${t.verified!.identity.subject}`);
          return null;
        }
        return {
          severity: policy.mode === "require" ? "error" : "warning",
          message: `${ref} fails the signature policy of ${e.manifest.file} (${policy.mode}): ` +
            problem,
          ...locator.place(e.manifest.imagesFile, e.image, digest),
        };
      }),
    );
    return results.filter((f): f is Finding => f !== null);
  },
};
