/**
 * The one way `src/sigstore` reaches the Sigstore libraries: loaded by dynamic import after the
 * `node:crypto` shim is installed, so no `@sigstore/*` code runs (or captures `crypto.verify`)
 * before the fix is in place, whatever order other modules are evaluated in. Every other file
 * here imports these packages with `import type` only.
 */
import type * as BundleLib from "@sigstore/bundle";
import type * as CoreLib from "@sigstore/core";
import type * as SpecsLib from "@sigstore/protobuf-specs";
import type * as VerifyLib from "@sigstore/verify";
import { installCryptoShim } from "./crypto_shim.ts";

/** The loaded Sigstore libraries. */
export interface SigstoreLibs {
  /** `@sigstore/bundle`: bundle types, building, JSON (de)serialisation and validation. */
  bundle: typeof BundleLib;
  /** `@sigstore/core`: X.509, DSSE pre-authentication encoding, encodings. */
  core: typeof CoreLib;
  /** `@sigstore/protobuf-specs`: the trusted root message. */
  specs: typeof SpecsLib;
  /** `@sigstore/verify`: the verifier. */
  verify: typeof VerifyLib;
}

let loading: Promise<SigstoreLibs> | undefined;

/** Installs the crypto shim, then loads the libraries (once per process). */
export function sigstoreLibs(): Promise<SigstoreLibs> {
  loading ??= (async () => {
    installCryptoShim();
    const [bundle, core, specs, verify] = await Promise.all([
      import("@sigstore/bundle"),
      import("@sigstore/core"),
      import("@sigstore/protobuf-specs"),
      import("@sigstore/verify"),
    ]);
    return { bundle, core, specs, verify };
  })();
  return loading;
}
