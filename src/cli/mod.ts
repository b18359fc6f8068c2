/** The command line of `cip`: flags, help, modes and exit codes. */
export { main } from "./main.ts";
export type { Io, RunContext } from "./context.ts";
