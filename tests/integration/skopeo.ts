/** skopeo, an independent client, for integration tests (a missing skopeo fails them, never skips). */
import { requireBinary } from "./registry_process.ts";

/** Runs skopeo with the given arguments; throws with its stderr when it fails. */
export async function skopeo(...args: string[]): Promise<string> {
  return await skopeoIn(undefined, ...args);
}

/** Runs skopeo in a working directory; throws with its stderr when it fails. */
export async function skopeoIn(cwd: string | undefined, ...args: string[]): Promise<string> {
  return new TextDecoder().decode(await skopeoBytes(cwd, args));
}

/** The exact manifest bytes skopeo reads from `docker://<reference>` over plain HTTP. */
export async function skopeoRaw(reference: string): Promise<Uint8Array> {
  return await skopeoBytes(undefined, [
    "inspect",
    "--raw",
    "--tls-verify=false",
    `docker://${reference}`,
  ]);
}

async function skopeoBytes(cwd: string | undefined, args: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command(requireBinary("skopeo"), {
    args: ["--insecure-policy", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`skopeo ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}
