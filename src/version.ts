/** The program's version, taken from deno.json so there is one place to change it. */
import config from "../deno.json" with { type: "json" };

/** The version of this build of `cip`. */
export const VERSION: string = config.version;
