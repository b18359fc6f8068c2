/** Checking a blob's SHA-256 and size while it streams, or after reading a small one whole. */
import { createHash } from "node:crypto";
import type { Descriptor } from "./api.ts";
import { RegistryError } from "./errors.ts";
import { isDigest } from "./reference.ts";

/** The `sha256:<hex>` digest of bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function mismatch(blob: Descriptor, size: number, digest: string | undefined): RegistryError {
  const got = digest === undefined ? `${size}+ bytes` : `${size} bytes with digest ${digest}`;
  const want = blob.size >= 0 ? `${blob.size} bytes with digest ${blob.digest}` : blob.digest;
  return new RegistryError(
    `Cannot store blob ${blob.digest}: its content does not match (expected ${want}, got ${got})`,
  );
}

function requireSha256(blob: Descriptor): void {
  if (!isDigest(blob.digest)) {
    throw new RegistryError(`Cannot store blob ${blob.digest}: only sha256 digests are supported`);
  }
}

/**
 * A pass-through stream that hashes and counts what flows through it. When the content turns
 * out not to match the descriptor, the stream errors and `failure` holds the reason; `done`
 * is set once the whole content has passed and matched.
 */
export class DigestVerifier {
  /** Put this between the source and the destination. */
  readonly transform: TransformStream<Uint8Array, Uint8Array>;
  /** Set when the content did not match. */
  failure?: RegistryError;
  /** Set when all content passed and matched. */
  done = false;

  /** `blob` is what the content must be (size -1 = unknown size). */
  constructor(blob: Descriptor) {
    requireSha256(blob);
    const hash = createHash("sha256");
    let size = 0;
    this.transform = new TransformStream({
      transform: (chunk, controller) => {
        size += chunk.length;
        if (blob.size >= 0 && size > blob.size) {
          this.failure = mismatch(blob, size, undefined);
          controller.error(this.failure);
          return;
        }
        hash.update(chunk);
        controller.enqueue(chunk);
      },
      flush: (controller) => {
        const digest = `sha256:${hash.digest("hex")}`;
        if (digest !== blob.digest || (blob.size >= 0 && size !== blob.size)) {
          this.failure = mismatch(blob, size, digest);
          controller.error(this.failure);
          return;
        }
        this.done = true;
      },
    });
  }
}

/**
 * Reads a small blob whole (at most `blob.size` + 1 bytes) and checks its size and digest;
 * throws RegistryError on a mismatch, cancelling the rest of the stream.
 */
export async function readVerified(
  blob: Descriptor,
  body: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  requireSha256(blob);
  const reader = body.getReader();
  const out = new Uint8Array(blob.size);
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.length > blob.size) throw mismatch(blob, size + value.length, undefined);
      out.set(value, size);
      size += value.length;
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  const digest = sha256Digest(out.subarray(0, size));
  if (size !== blob.size || digest !== blob.digest) throw mismatch(blob, size, digest);
  return out;
}
