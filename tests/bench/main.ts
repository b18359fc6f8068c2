/**
 * `deno task bench`: runs every benchmark section (or those named as arguments) and prints
 * its figures. Each section lives in its own module and returns whether its targets were met.
 * Timings are printed, never asserted by tests: the machines are noisy.
 */
import { benchK8sSim, FULL_SCALE, QUICK_SCALE } from "./k8s_sim_bench.ts";
import { runListBench } from "./list_bench.ts";
import { benchParseOnly } from "./parse_bench.ts";
import { benchPromote } from "./promote_bench.ts";
import { benchSnapshotSection } from "./snapshot_bench.ts";

/** One benchmark: a name and a function printing its figures, true when targets were met. */
interface Section {
  name: string;
  run: () => Promise<boolean>;
}

/** Every benchmark, in the order they run. Add new sections here. */
const SECTIONS: Section[] = [
  { name: "parse-only", run: () => benchParseOnly() },
  { name: "listing", run: () => runListBench() },
  { name: "snapshot", run: () => benchSnapshotSection() },
  { name: "promote", run: () => benchPromote() },
  { name: "k8s-sim", run: () => benchK8sSim(FULL_SCALE) },
];

/** Sections that run only when named: variants of the sections above. */
const NAMED_ONLY: Section[] = [
  { name: "k8s-sim-quick", run: () => benchK8sSim(QUICK_SCALE) },
];

if (import.meta.main) {
  const wanted = Deno.args.length > 0 ? Deno.args : SECTIONS.map((s) => s.name);
  const known = [...SECTIONS, ...NAMED_ONLY];
  const unknown = wanted.filter((w) => !known.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark ${unknown.join(", ")}; known: ${known.map((s) => s.name).join(", ")}`,
    );
    Deno.exit(2);
  }
  const missed: string[] = [];
  for (const s of known.filter((s) => wanted.includes(s.name))) {
    console.log(`== ${s.name}`);
    if (!(await s.run())) missed.push(s.name);
  }
  console.log(missed.length === 0 ? "all targets met" : `targets not met: ${missed.join(", ")}`);
}
