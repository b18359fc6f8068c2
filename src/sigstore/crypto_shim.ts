/**
 * A fix for a gap in Deno's `node:crypto`: `crypto.verify(null, data, key, signature)` throws
 * "no default digest" for EC and RSA keys, where Node uses SHA-256. `@sigstore/core` calls it
 * that way for Rekor inclusion promises, checkpoints and DSSE signatures and turns the
 * exception into `false`, so without this fix every such check fails closed.
 */
import crypto from "node:crypto";

/** The shape of `crypto.verify` without its callback overload. */
export type VerifyFunction = (
  algorithm: string | null | undefined,
  data: NodeJS.ArrayBufferView,
  key: crypto.KeyLike | crypto.VerifyKeyObjectInput | crypto.VerifyPublicKeyInput,
  signature: NodeJS.ArrayBufferView,
) => boolean;

const SHIMMED = Symbol.for("cip.sigstore.defaultDigest");

/** The key types for which Node defaults to SHA-256 when no digest is named. */
const SHA256_BY_DEFAULT = new Set(["ec", "rsa"]);

function keyType(key: Parameters<VerifyFunction>[2]): string | undefined {
  try {
    const object = key instanceof crypto.KeyObject
      ? key
      : crypto.createPublicKey(key as crypto.PublicKeyInput);
    return object.asymmetricKeyType;
  } catch {
    return undefined;
  }
}

/** `verify` that names SHA-256 for EC and RSA keys when the caller names no digest. */
export function withDefaultDigest(verify: VerifyFunction): VerifyFunction {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const [algorithm, , key] = args as Parameters<VerifyFunction>;
    if (algorithm == null && SHA256_BY_DEFAULT.has(keyType(key) ?? "")) args[0] = "sha256";
    return (verify as (...a: unknown[]) => boolean).apply(this, args);
  };
  Object.defineProperty(wrapped, SHIMMED, { value: true });
  return wrapped as VerifyFunction;
}

/** Whether `node:crypto`'s `verify` is already the wrapped one. */
export function cryptoShimInstalled(): boolean {
  return (crypto.verify as unknown as Record<symbol, unknown>)[SHIMMED] === true;
}

/**
 * Replaces `node:crypto`'s `verify` (the object CommonJS `require("crypto")` also returns) with
 * the wrapped one; idempotent. Calls that name a digest pass through unchanged.
 */
export function installCryptoShim(): void {
  if (cryptoShimInstalled()) return;
  const fixed = withDefaultDigest(crypto.verify as VerifyFunction);
  (crypto as unknown as { verify: unknown }).verify = fixed;
}
