/**
 * Whether one image in a registry is signed as a trust policy asks: its signatures are found in
 * its repository (cosign `sha256-<hex>.sig` tags and Sigstore bundles attached as OCI
 * referrers, through src/attach's discovery), and verified one after the other (src/sigstore)
 * until one counts. The digest an edge names is what is verified: an index's children are
 * covered by the index's digest, which names them.
 */
import { type Attachment, discoverAttachments, isSigstoreBundle } from "../attach/mod.ts";
import {
  cosignSignatureLayers,
  type Refused,
  type TrustPolicy,
  type TrustRoot,
  type Verdict,
  type Verified,
  verifyCosignLayer,
  verifyImageBundle,
} from "../sigstore/mod.ts";
import { type Backend, type ContentReader, OCI_MANIFEST } from "../registry/mod.ts";
import { describeError } from "../describe_error.ts";
import { attachmentReader, readSignatureBlob } from "./source.ts";

/** Where an image is: its backend, repository and digest. */
export interface ImageAt {
  backend: Backend;
  repo: string;
  digest: string;
}

/** What verification concluded about one image. */
export interface ImageTrust {
  /** `host/repo@digest`, for messages. */
  ref: string;
  /** The first signature that counted, if any. */
  verified?: Verified;
  /** The signatures that did not count, each with its reason. */
  refused: Refused[];
  /** Why the signatures could not be read at all (the registry failed), if so. */
  error?: string;
}

/** The words saying why an image does not satisfy its policy, or null when it does. */
export function trustProblem(t: ImageTrust): string | null {
  if (t.verified) return null;
  if (t.error) return `its signatures cannot be read: ${t.error}`;
  if (t.refused.length === 0) {
    return "it has no signature (no cosign .sig tag, no Sigstore bundle referrer)";
  }
  const reasons = [...new Set(t.refused.map((r) => r.message))];
  const n = t.refused.length;
  return `${n === 1 ? "its signature does" : `none of its ${n} signatures`} not count: ` +
    reasons.join("; ");
}

/** A signature as found: how to read and verify it. */
type Candidate = () => Promise<Verdict[]>;

/**
 * Verifies the image's signatures against `policy` (its identities) and `root`, once per run
 * when given the run's `done` map; never throws for what a registry holds or answers: a failed
 * read is `error` in the result.
 */
export function verifyImage(
  image: ImageAt,
  policy: TrustPolicy,
  root: TrustRoot,
  reader: ContentReader,
  done?: Map<string, Promise<unknown>>,
): Promise<ImageTrust> {
  if (!done) return verify(image, policy, root, reader);
  const key = `${image.backend.id}\0${image.repo}\0${image.digest}\0` +
    JSON.stringify(policy.identities);
  let result = done.get(key) as Promise<ImageTrust> | undefined;
  if (!result) {
    result = verify(image, policy, root, reader);
    done.set(key, result);
  }
  return result;
}

async function verify(
  image: ImageAt,
  policy: TrustPolicy,
  root: TrustRoot,
  reader: ContentReader,
): Promise<ImageTrust> {
  const { backend, repo, digest } = image;
  const ref = `${backend.display}/${repo}@${digest}`;
  const options = { trust: root, identities: policy.identities };
  const refused: Refused[] = [];
  try {
    // Discovery searches an index's children too; the edge's digest is what is verified, so it
    // is given as a single manifest.
    const graph = await discoverAttachments(attachmentReader(backend, reader), repo, [
      { mediaType: OCI_MANIFEST, digest, size: 0 },
    ]);
    const candidates = graph.attachments
      .filter((a) => a.subject === digest && a.kind === "signature")
      .map((a) => candidate(a, graph.manifests.get(a.manifest.digest)?.bytes));
    for (const c of candidates) {
      if (c === null) continue;
      for (const verdict of await c()) {
        if (verdict.ok) return { ref, verified: verdict, refused };
        refused.push(verdict);
      }
    }
    return { ref, refused };
  } catch (e) {
    return { ref, refused, error: describeError(e) };
  }

  function candidate(a: Attachment, bytes: Uint8Array | undefined): Candidate | null {
    if (bytes === undefined) return null;
    if (a.via === "cosign-tag") {
      return async () => {
        const verdicts: Verdict[] = [];
        for (const layer of cosignSignatureLayers(bytes)) {
          const payload = await readSignatureBlob(backend, repo, layer);
          verdicts.push(await verifyCosignLayer({ descriptor: layer, payload }, digest, options));
          if (verdicts.at(-1)!.ok) break;
        }
        return verdicts;
      };
    }
    if (!isSigstoreBundle(a.manifest.artifactType ?? "")) return null;
    return async () => {
      const layer = bundleLayer(bytes);
      if (layer === null) {
        const message = `its referrer ${a.manifest.digest} holds no Sigstore bundle layer`;
        return [{ ok: false, format: "sigstore-bundle", reason: "malformed", message }];
      }
      const bundle = await readSignatureBlob(backend, repo, layer);
      const manifest = await reader.manifest(backend, repo, digest);
      return [
        await verifyImageBundle(bundle, {
          digest,
          ...(manifest ? { manifest: manifest.bytes } : {}),
        }, options),
      ];
    };
  }
}

/** The layer holding the bundle in a bundle referrer (its first Sigstore bundle layer). */
function bundleLayer(manifest: Uint8Array): { digest: string; size: number } | null {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(manifest));
  } catch {
    return null;
  }
  const layers = (doc as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) return null;
  for (const l of layers) {
    if (
      typeof l === "object" && l !== null && typeof l.mediaType === "string" &&
      isSigstoreBundle(l.mediaType) && typeof l.digest === "string" && typeof l.size === "number"
    ) return { digest: l.digest, size: l.size };
  }
  return null;
}
