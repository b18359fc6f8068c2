/**
 * A certificate authority made at test time with `openssl`, and one server certificate it
 * signs for names under `.test` (RFC 2606: never resolved on any network), or for a real name
 * that a `cip` subprocess only reaches through the tests' CONNECT proxy (Google's IAM
 * credentials API). A `cip` subprocess trusts it through `DENO_CERT`.
 */
import { tempDir } from "../fixtures/temp_dirs.ts";

/** The CA's certificate file, and a server certificate and key (PEM) for the names asked. */
export interface LocalCa {
  /** Path of the CA certificate (PEM), for `DENO_CERT`. */
  caFile: string;
  /** PEM text of the CA certificate, for in-process clients. */
  caPem: string;
  /** Server certificate (PEM) valid for every name given. */
  cert: string;
  /** Its private key (PEM). */
  key: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Makes a fresh CA and a server certificate for `names` (DNS names), valid for two days. */
export async function makeLocalCa(names: string[]): Promise<LocalCa> {
  const dir = await tempDir("cip-ca-");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(dir, [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=cip test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await openssl(dir, ["req", ...ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=cip"]);
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    [
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
    ].join("\n") + "\n",
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    "srv.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "srv.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  ]);
  return {
    caFile: `${dir}/ca.pem`,
    caPem: await Deno.readTextFile(`${dir}/ca.pem`),
    cert: await Deno.readTextFile(`${dir}/srv.pem`),
    key: await Deno.readTextFile(`${dir}/srv.key`),
  };
}
