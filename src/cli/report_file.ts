/** The `--report` file: checked before a run starts, written atomically at its end. */
import { UsageError } from "./usage_error.ts";

/** The directory a file path is in (`.` for a bare name). */
function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : path.slice(0, slash) || "/";
}

/**
 * Refuses a `--report` path that cannot be written whatever the run does: its directory is
 * missing or not a directory, or the path is a directory. Called before any registry is read,
 * so a promotion never copies images only to fail at its end for want of a report file.
 */
export async function checkReportTarget(path: string): Promise<void> {
  const dir = dirOf(path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      throw new UsageError(`--report=${path}: the directory ${dir} does not exist`);
    }
    return; // Anything else (a permission) shows when the report is written.
  }
  if (!info.isDirectory) throw new UsageError(`--report=${path}: ${dir} is not a directory`);
  const target = await Deno.stat(path).catch(() => null);
  if (target?.isDirectory) throw new UsageError(`--report=${path}: is a directory`);
}

/** Writes the report via a temporary file in the same directory and a rename. */
export async function writeReport(path: string, text: string): Promise<void> {
  const dir = dirOf(path);
  const tmp = `${dir}/.${path.slice(path.lastIndexOf("/") + 1)}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    // The cause reads as its plain reason (describe in error_text.ts): not the temporary file's name.
    throw new Error(`Cannot write the report to ${path}`, { cause: e });
  }
}
