/** A test world for the Sigstore layer: fake services, their trusted root, a signer, a policy. */
import {
  type AllowedIdentity,
  KeylessSigner,
  type KeylessSignerOptions,
  loadTrustRoot,
  tokenFromValue,
  type TrustRoot,
} from "../../src/sigstore/mod.ts";
import { FAKE_ISSUER, FAKE_SUBJECT, FakeSigstore } from "../fakes/sigstore.ts";

/** An image digest (of no real manifest). */
export const DIGEST = `sha256:${"a1".repeat(32)}`;
/** Another image digest. */
export const OTHER_DIGEST = `sha256:${"b2".repeat(32)}`;

/** The policy entry allowing the fake's default signer. */
export const ALLOWED: AllowedIdentity = {
  subject: { exact: FAKE_SUBJECT },
  issuer: { exact: FAKE_ISSUER },
};

/** Services, their trust root and a signer using them; close when done. */
export interface SigstoreWorld {
  fake: FakeSigstore;
  trust: TrustRoot;
  /** A signer with a static token of the fake's default identity (options override). */
  signer(options?: Partial<KeylessSignerOptions>): KeylessSigner;
  close(): Promise<void>;
}

/** Starts the fake services and loads their trusted root. */
export async function sigstoreWorld(): Promise<SigstoreWorld> {
  const fake = await FakeSigstore.start();
  const trust = await loadTrustRoot(fake.trustedRoot, "the fake services");
  return {
    fake,
    trust,
    signer: (options = {}) =>
      new KeylessSigner({
        token: tokenFromValue("a test token", fake.token()),
        fulcioUrl: fake.url,
        rekorUrl: fake.url,
        now: () => fake.clock.getTime(),
        ...options,
      }),
    close: () => fake.close(),
  };
}

/** Runs `body` in a fresh world, closing it afterwards. */
export async function withWorld(body: (w: SigstoreWorld) => Promise<void>): Promise<void> {
  const w = await sigstoreWorld();
  try {
    await body(w);
  } finally {
    await w.close();
  }
}
