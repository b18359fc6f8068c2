/** skopeo for the ocidir interoperability tests (a missing skopeo fails them, never skips). */
import { requireBinary } from "./registry_process.ts";

/** Runs skopeo with the given arguments; throws with its stderr when it fails. */
export async function skopeo(...args: string[]): Promise<string> {
  return await skopeoIn(undefined, ...args);
}

/** Runs skopeo in a working directory; throws with its stderr when it fails. */
export async function skopeoIn(cwd: string | undefined, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(requireBinary("skopeo"), {
    args: ["--insecure-policy", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`skopeo ${args.join(" ")} failed: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}
