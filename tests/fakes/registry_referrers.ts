/**
 * The OCI 1.1 referrers API of the fake registry, as the distribution spec v1.1 defines it
 * ("Listing Referrers", "Pushing Manifests with Subject"):
 *
 * - `GET /v2/<name>/referrers/<digest>` answers 200 with an image index
 *   (`Content-Type: application/vnd.oci.image.index.v1+json`) of the manifests in `<name>`
 *   whose `subject` is `<digest>`, an empty list when there are none (never 404); 400 for a
 *   digest of invalid syntax;
 * - each descriptor carries the manifest's `artifactType`, else an image manifest's config
 *   media type (an index without one has none), and all of the manifest's annotations;
 * - `?artifactType=` filters, and the answer then says `OCI-Filters-Applied: artifactType`;
 * - a list longer than the page size is paged with `Link: <…>; rel="next"`;
 * - a manifest PUT with `subject` is answered with `OCI-Subject: <subject digest>`, and a
 *   subject that is not (yet) in the repository is accepted.
 *
 * Referrers are listed in the order they were pushed.
 */
import type { RegistryState, StoredManifest } from "./registry_state.ts";
import { ociError } from "./registry_faults.ts";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** The referrers API switched on, with an optional page size. */
export interface ReferrersOptions {
  /** Most descriptors per answer; default all. */
  pageSize?: number;
}

/** The descriptor the referrers API gives a stored manifest. */
export function referrerDescriptorOf(digest: string, m: StoredManifest): Record<string, unknown> {
  const doc = JSON.parse(new TextDecoder().decode(m.bytes));
  const d: Record<string, unknown> = { mediaType: m.mediaType, digest, size: m.bytes.length };
  const isIndex = m.mediaType === OCI_INDEX ||
    m.mediaType === "application/vnd.docker.distribution.manifest.list.v2+json";
  const artifactType = doc.artifactType || (isIndex ? undefined : doc.config?.mediaType);
  if (artifactType) d.artifactType = artifactType;
  if (doc.annotations !== undefined) d.annotations = doc.annotations;
  return d;
}

/** The answer to `GET /v2/<name>/referrers/<digest>` (query in `url`). */
export function referrersAnswer(
  state: RegistryState,
  name: string,
  digest: string,
  url: URL,
  opts: ReferrersOptions,
): Response {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    return ociError(400, "DIGEST_INVALID", `invalid digest: ${digest}`);
  }
  const stored = [...state.repos.get(name)?.manifests ?? []]
    .filter(([, m]) => m.subject === digest)
    .sort(([, a], [, b]) => a.seq - b.seq)
    .map(([d, m]) => referrerDescriptorOf(d, m));
  const filter = url.searchParams.get("artifactType");
  const all = filter === null ? stored : stored.filter((d) => d.artifactType === filter);
  const last = url.searchParams.get("last");
  const from = last === null ? 0 : all.findIndex((d) => d.digest === last) + 1;
  const size = opts.pageSize ?? Infinity;
  const page = all.slice(from, from + size);
  const headers = new Headers({ "Content-Type": OCI_INDEX });
  if (filter !== null) headers.set("OCI-Filters-Applied", "artifactType");
  if (from + size < all.length) {
    const next = new URLSearchParams();
    if (filter !== null) next.set("artifactType", filter);
    next.set("last", page.at(-1)!.digest as string);
    headers.set("Link", `<${url.pathname}?${next}>; rel="next"`);
  }
  const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: page });
  return new Response(body, { headers });
}
