/** A copy of the program's sources in a temporary directory, for tests that stamp or build it. */

const ROOT = new URL("../../", import.meta.url).pathname;

/** What a copy holds: the program, its configuration and the build scripts. */
const PARTS = ["deno.json", "deno.lock", "main.ts", "src", ".github"];

/** Copies the program into a new temporary directory and returns that directory. */
export async function copyProject(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cip-copy-" });
  const out = await new Deno.Command("cp", {
    args: ["-R", ...PARTS.map((p) => `${ROOT}${p}`), dir],
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`cp failed: ${new TextDecoder().decode(out.stderr)}`);
  return dir;
}
