/** The command line of `cip`: flags, help, modes and exit codes. */
export { EXIT, main } from "./main.ts";
export type { Io, RunContext } from "./context.ts";
