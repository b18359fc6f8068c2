import { deepEqual, equal, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import crypto from "node:crypto";
import {
  cryptoShimInstalled,
  sigstoreLibs,
  type VerifyFunction,
  withDefaultDigest,
} from "../../src/sigstore/mod.ts";

const DATA = Buffer.from("signed bytes");

function ecSignature() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { publicKey, signature: crypto.sign("sha256", DATA, privateKey) };
}

Deno.test("withDefaultDigest() names SHA-256 for EC and RSA keys only when no digest is given", () => {
  const seen: unknown[] = [];
  const record: VerifyFunction = (algorithm) => {
    seen.push(algorithm);
    return true;
  };
  const verify = withDefaultDigest(record);
  const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
  const ed = crypto.generateKeyPairSync("ed25519").publicKey;
  const sig = Buffer.alloc(1);
  verify(null, DATA, ec, sig);
  verify(undefined, DATA, ec.export({ format: "pem", type: "spki" }), sig);
  verify(null, DATA, rsa, sig);
  verify(null, DATA, ed, sig);
  verify("sha384", DATA, ec, sig);
  deepEqual(seen, ["sha256", "sha256", "sha256", null, "sha384"]);
});

Deno.test("withDefaultDigest(crypto.verify) accepts a valid EC signature given no digest, and rejects a wrong one", () => {
  const { publicKey, signature } = ecSignature();
  const verify = withDefaultDigest(crypto.verify as VerifyFunction);
  equal(verify(null, DATA, publicKey, signature), true);
  equal(verify(null, Buffer.from("other bytes"), publicKey, signature), false);
});

Deno.test("the Sigstore libraries load with the shim installed: @sigstore/core verifies EC signatures without a digest", async () => {
  const { core } = await sigstoreLibs();
  ok(cryptoShimInstalled());
  const { publicKey, signature } = ecSignature();
  // @sigstore/core passes no digest for inclusion promises, checkpoints and DSSE signatures.
  equal(core.crypto.verify(DATA, publicKey, signature), true);
  equal(core.crypto.verify(Buffer.from("other bytes"), publicKey, signature), false);
});

Deno.test("without the shim, @sigstore/core fails an EC check exactly when node:crypto lacks the default digest", async () => {
  // A fresh process: import @sigstore/core directly, never through sigstoreLibs().
  const script = `
    import crypto from "node:crypto";
    import * as core from "@sigstore/core";
    const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const data = new TextEncoder().encode("x");
    const sig = crypto.sign("sha256", data, privateKey);
    let gap = false;
    try { crypto.verify(null, data, publicKey, sig); } catch { gap = true; }
    console.log(JSON.stringify({ gap, core: core.crypto.verify(Buffer.from(data), publicKey, sig) }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  ok(out.success, new TextDecoder().decode(out.stderr));
  const { gap, core } = JSON.parse(text);
  // On Deno 2.9 the gap is there and core fails closed; once Deno fixes it, core passes.
  equal(core, !gap, text);
});
