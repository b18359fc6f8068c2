/**
 * Reading signatures out of a registry: discovery's AttachmentReader over a Backend and the
 * run's ContentReader (tag listings and manifests by digest read once per run), and the blobs
 * signatures keep their bundles and payloads in, read with a size cap.
 */
import type { AttachmentReader } from "../attach/mod.ts";
import { type Backend, type ContentReader, RegistryError, sha256Digest } from "../registry/mod.ts";

/** The largest signature blob read (a Sigstore bundle or a cosign payload): 1 MiB. */
export const MAX_SIGNATURE_BLOB_BYTES = 1 << 20;

/**
 * Discovery's reader over `backend`, through the run's reader: the referrers API is asked once
 * per digest, and a backend without it (its first 404) is not asked again; discovery then reads
 * the referrers tag schema (`sha256-<hex>`) instead.
 */
export function attachmentReader(backend: Backend, reader: ContentReader): AttachmentReader {
  return {
    listTags: async (repo) => (await reader.listing(backend, repo)).tags,
    getManifest: (repo, ref) => reader.manifest(backend, repo, ref),
    getReferrers: (repo, digest) => reader.referrers(backend, repo, digest),
  };
}

/**
 * The bytes of a blob of at most MAX_SIGNATURE_BLOB_BYTES, checked against its digest. Throws
 * RegistryError when it is larger, cannot be read or has other bytes.
 */
export async function readSignatureBlob(
  backend: Backend,
  repo: string,
  blob: { digest: string; size: number },
): Promise<Uint8Array> {
  const where = `${backend.display}/${repo}@${blob.digest}`;
  if (!(blob.size >= 0 && blob.size <= MAX_SIGNATURE_BLOB_BYTES)) {
    throw new RegistryError(
      `Cannot read the signature blob ${where}: it is ${blob.size} bytes, more than the ` +
        `${MAX_SIGNATURE_BLOB_BYTES} cip reads`,
    );
  }
  const { body } = await backend.getBlob(repo, blob.digest, blob.size);
  const bytes = await readAtMost(body, blob.size + 1);
  if (bytes.length !== blob.size || sha256Digest(bytes) !== blob.digest) {
    throw new RegistryError(`Cannot read the signature blob ${where}: its bytes do not match`);
  }
  return bytes;
}

/** Reads at most `limit` bytes of a stream, then cancels it. */
async function readAtMost(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const out = new Uint8Array(limit);
  let at = 0;
  try {
    while (at < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.subarray(0, limit - at);
      out.set(part, at);
      at += part.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return out.subarray(0, at);
}
