/** The command line's flags: one table that drives parsing and `--help`. */
import { parseArgs } from "node:util";
import { type Level, LEVELS } from "../log.ts";
import { UsageError } from "./usage_error.ts";

/** One flag: its kind, default (as shown in help), value name and meaning. */
export interface FlagSpec {
  name: string;
  type: "string" | "boolean";
  group: string;
  help: string;
  value?: string;
  default?: string;
  short?: string;
}

/** Every flag `cip` accepts, in the order `--help` lists them. */
export const FLAGS: readonly FlagSpec[] = [
  {
    name: "help",
    short: "h",
    type: "boolean",
    group: "General",
    help: "Print this help and exit.",
  },
  { name: "version", type: "boolean", group: "General", help: "Print the version and exit." },
  {
    name: "log-level",
    type: "string",
    group: "General",
    value: "LEVEL",
    default: "info",
    help: `Least severe log messages printed to stderr: ${LEVELS.join(", ")}.`,
  },
  {
    name: "manifest",
    type: "string",
    group: "Manifests",
    value: "FILE",
    help: "A plain promoter manifest (YAML with `registries` and `images`).",
  },
  {
    name: "thin-manifest-dir",
    type: "string",
    group: "Manifests",
    value: "DIR",
    help: "A thin manifest directory: DIR/manifests/<x>/promoter-manifest.yaml paired with " +
      "DIR/images/<x>/images.yaml.",
  },
  {
    name: "parse-only",
    type: "boolean",
    group: "Manifests",
    help: "Read and validate the manifests, compute the promotion edges, print a summary to " +
      "stderr and stop. No network.",
  },
];

/** The parsed command line: flag values by name, plus the positional words. */
export interface Flags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  logLevel: Level;
}

/** Parses argv strictly against FLAGS; throws UsageError on anything unknown or malformed. */
export function parseFlags(args: string[]): Flags {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const f of FLAGS) {
    options[f.name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(describeParseError(e));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals;
  if (positionals.length > 0 && positionals[0] === "run") positionals.shift();
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"`);
  }
  for (const f of FLAGS) {
    if (f.type === "string" && values[f.name] === "") {
      throw new UsageError(`--${f.name} needs a value`);
    }
  }
  const level = (values["log-level"] as string | undefined) ?? "info";
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LEVELS.join(", ")}, not "${level}"`);
  }
  return { values, positionals, logLevel: level as Level };
}

/** Turns node:util's parse errors into one short line. */
function describeParseError(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const unknown = /Unknown option '([^']+)'/.exec(text);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(text);
  if (missing) return `${missing[1]} needs a value`;
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(text);
  if (noValue) return `${noValue[1]} takes no value`;
  return text.split("\n")[0] ?? text;
}
