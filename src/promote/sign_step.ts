/**
 * Signing what a promotion promoted (`--sign`): after the copies, each image promoted in this run
 * (copied, or tagged where it was already) that does not carry a valid signature by the signer's
 * identity in its destination is signed once per digest, keylessly (src/sigstore's
 * KeylessSigner), and the v0.3 Sigstore bundle is stored in every destination repository that
 * lacks it as an OCI referrer of the image (cosign's bundle format), listed in the referrers
 * tag schema index `sha256-<hex>` (merged with what is there, never shrunk), so registries
 * without the referrers API serve it too. With `cosign`, the legacy `sha256-<hex>.sig` manifest
 * gets the signature as well (merged likewise). Every bundle is verified against the trusted
 * root before it is stored.
 */
import {
  mergeCosignManifest,
  mergeReferrersIndex,
  parseArtifact,
  referrersEntry,
  referrersIndex,
} from "../attach/mod.ts";
import { describeError } from "../describe_error.ts";
import {
  type Backend,
  type ContentReader,
  type Descriptor,
  joinRepository,
} from "../registry/mod.ts";
import {
  bundleReferrer,
  cosignSignatureManifest,
  cosignSignatureTag,
  type ImageSignature,
  type OciArtifact,
  type SignerIdentity,
  type TrustRoot,
  verifyImageBundle,
} from "../sigstore/mod.ts";
import { trustProblem, verifyImage } from "../trust/mod.ts";
import type { PromotionRegistries } from "./open.ts";
import type { Outcome } from "./outcome.ts";

/** What signs: the run's KeylessSigner, or a fake in tests. */
export interface ImageSigner {
  identity(): Promise<SignerIdentity>;
  signImage(digest: string, options?: { cosignReference?: string }): Promise<ImageSignature>;
}

/** How to sign. */
export interface SignOptions {
  signer: ImageSigner;
  /** The trusted root signatures already there, and the new ones, are verified against. */
  root: TrustRoot;
  /** Also store the legacy cosign `.sig` signature. */
  cosign: boolean;
  /** The clock, for the referrer's creation time. */
  now: () => number;
}

/** One promoted image in one destination repository. */
export interface SignTarget {
  /** The destination registry name as the manifests write it. */
  dst: string;
  image: string;
  /** The repository in the destination backend. */
  repo: string;
  digest: string;
}

/** What signing did. */
export interface SignResult {
  /** The identity the signatures were made for. */
  identity?: SignerIdentity;
  /** Digests signed, each with the destinations (`dst/image`) the signature was stored in. */
  signed: { digest: string; stored: string[] }[];
  /** `dst/image@digest` that already carried a valid signature by the identity. */
  present: string[];
  /** What could not be done, one line each (the run fails). */
  failures: string[];
}

/**
 * The images an outcome promoted: every edge copied or tagged (planned, in a dry run), once per
 * destination repository and digest. Images already in place are not looked at again: reading
 * every destination's signatures on every run would cost requests in proportion to everything
 * ever promoted.
 */
export function signTargets(
  outcome: Outcome,
  repoOf: (dst: string, image: string) => string,
): SignTarget[] {
  const seen = new Set<string>();
  const targets: SignTarget[] = [];
  for (const e of outcome.edges) {
    if (!["copied", "tagged", "planned"].includes(e.result)) continue;
    const { dst, image, digest } = e.decision.edge;
    const key = `${dst.name}\0${image}\0${digest}`;
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push({ dst: dst.name, image, repo: repoOf(dst.name, image), digest });
  }
  return targets;
}

/**
 * Signs the targets that lack a valid signature by the signer's identity and stores the
 * signatures. Never throws for a registry or a Sigstore service failing: each is a failure line
 * (no token or key is ever in one).
 */
export async function signPromoted(
  targets: readonly SignTarget[],
  backends: ReadonlyMap<string, Backend>,
  reader: ContentReader,
  options: SignOptions,
): Promise<SignResult> {
  const result: SignResult = { signed: [], present: [], failures: [] };
  if (targets.length === 0) return result;
  let identity: SignerIdentity;
  try {
    identity = await options.signer.identity();
  } catch (e) {
    result.failures.push(`Cannot sign: ${describeError(e)}`);
    return result;
  }
  result.identity = identity;
  const policy = {
    mode: "require" as const,
    identities: [{ subject: { exact: identity.subject }, issuer: { exact: identity.issuer } }],
  };
  const unsigned = new Map<string, SignTarget[]>();
  await Promise.all(targets.map(async (t) => {
    const backend = backends.get(t.dst)!;
    const found = await verifyImage(
      { backend, repo: t.repo, digest: t.digest },
      policy,
      options.root,
      reader,
    );
    if (trustProblem(found) === null) result.present.push(`${t.dst}/${t.image}@${t.digest}`);
    else unsigned.set(t.digest, [...unsigned.get(t.digest) ?? [], t]);
  }));
  for (const [digest, where] of unsigned) {
    const first = where[0]!;
    let signature: ImageSignature;
    try {
      signature = await options.signer.signImage(
        digest,
        options.cosign ? { cosignReference: `${first.dst}/${first.image}` } : {},
      );
      const check = await verifyImageBundle(signature.bundle, { digest }, {
        trust: options.root,
        identities: policy.identities,
      });
      if (!check.ok) throw new Error(`the new signature does not verify: ${check.message}`);
    } catch (e) {
      result.failures.push(
        `Cannot sign ${first.dst}/${first.image}@${digest}: ${describeError(e)}`,
      );
      continue;
    }
    const stored: string[] = [];
    for (const t of where) {
      try {
        await store(backends.get(t.dst)!, t, signature, reader, options);
        stored.push(`${t.dst}/${t.image}`);
      } catch (e) {
        result.failures.push(
          `Cannot store the signature of ${t.dst}/${t.image}@${digest}: ${describeError(e)}`,
        );
      }
    }
    result.signed.push({ digest, stored });
  }
  result.present.sort();
  return result;
}

/** Stores one signature in one destination repository: the referrer, its index, the `.sig`. */
async function store(
  backend: Backend,
  t: SignTarget,
  signature: ImageSignature,
  reader: ContentReader,
  options: SignOptions,
): Promise<void> {
  const subject = await reader.manifest(backend, t.repo, t.digest);
  if (subject === null) throw new Error("the image is not in the destination");
  const descriptor: Descriptor = {
    mediaType: subject.mediaType,
    digest: t.digest,
    size: subject.bytes.length,
  };
  const referrer = bundleReferrer(signature.bundle, descriptor, {
    created: new Date(options.now()),
  });
  await push(backend, t.repo, referrer, referrer.manifest.digest);
  const tag = `sha256-${t.digest.slice("sha256:".length)}`;
  const entry = referrersEntry(parseArtifact(referrer.manifest), referrer.manifest.bytes);
  const merged = mergeReferrersIndex(
    tag,
    referrersIndex([entry]),
    await backend.getManifest(t.repo, tag),
  );
  if (merged.write) await backend.putManifest(t.repo, tag, merged.manifest);
  if (signature.cosign) {
    const sig = cosignSignatureManifest([signature.cosign]);
    const sigTag = cosignSignatureTag(t.digest);
    for (const b of sig.blobs) await pushBlob(backend, t.repo, b.descriptor, b.bytes);
    const m = mergeCosignManifest(sigTag, sig.manifest, await backend.getManifest(t.repo, sigTag));
    if (m.write) await backend.putManifest(t.repo, sigTag, m.manifest);
  }
}

/** Pushes an artifact's blobs (those not there) and its manifest under `ref`. */
async function push(backend: Backend, repo: string, a: OciArtifact, ref: string): Promise<void> {
  for (const b of a.blobs) await pushBlob(backend, repo, b.descriptor, b.bytes);
  await backend.putManifest(repo, ref, a.manifest);
}

async function pushBlob(backend: Backend, repo: string, d: Descriptor, bytes: Uint8Array) {
  if (await backend.hasBlob(repo, d.digest)) return;
  await backend.putBlob(repo, d, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream());
}

/** The lines that say what signing did (info), and what it would do in a dry run. */
export function signLines(result: SignResult | null, targets: readonly SignTarget[]): string[] {
  if (result === null && targets.length === 0) {
    return ["--sign: nothing is promoted, nothing to sign"];
  }
  if (result === null) {
    return [
      `--sign: with --confirm, cip signs each of these ${targets.length} images unless it ` +
      "already carries a valid signature by the signing identity:",
      ...targets.map((t) => `  ${t.dst}/${t.image}@${t.digest}`),
    ];
  }
  const who = result.identity
    ? `${JSON.stringify(result.identity.subject)} (issuer ${
      JSON.stringify(result.identity.issuer)
    })`
    : "";
  return [
    ...result.signed.map((s) => `signed ${s.digest} as ${who}; stored in ${s.stored.join(", ")}`),
    ...(result.present.length > 0
      ? [`${result.present.length} images already carry a valid signature by ${who}`]
      : []),
  ];
}

/** What the sign step of a promotion did: the images it looked at, and (with --confirm) more. */
export interface Signing {
  targets: SignTarget[];
  /** Null in a dry run: nothing is signed. */
  result: SignResult | null;
}

/** The sign step: the targets of `outcome`, signed when `confirm`, else only listed. */
export async function signStep(
  outcome: Outcome,
  registries: PromotionRegistries,
  reader: ContentReader,
  options: SignOptions,
  confirm: boolean,
): Promise<Signing> {
  const targets = signTargets(outcome, (dst, image) => {
    const loc = registries.locations.get(dst)!;
    return joinRepository(loc.prefix, image);
  });
  if (!confirm) return { targets, result: null };
  return {
    targets,
    result: await signPromoted(targets, registries.backends, reader, options),
  };
}
