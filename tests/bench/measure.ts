/** Runs a child process and measures its wall time and peak memory (resident set size). */

/** What one measured run gave. */
export interface Measurement {
  code: number;
  wallMs: number;
  /** Peak resident set size in KiB, or null when it could not be measured. */
  peakRssKiB: number | null;
  /** CPU time (user + system) in milliseconds, or null when it could not be measured. */
  cpuMs: number | null;
  /** How the peak was measured. */
  method: string;
  stdout: string;
  stderr: string;
}

const TIME = "/usr/bin/time";

/**
 * Runs `cmd args` and measures it: the peak RSS from GNU time's "Maximum resident set size"
 * when /usr/bin/time exists (and `poll` is not set), else by polling VmHWM in
 * /proc/<pid>/status while it runs.
 */
export async function measure(
  cmd: string,
  args: string[],
  options: { poll?: boolean } = {},
): Promise<Measurement> {
  const useTime = !options.poll && await exists(TIME);
  const command = useTime
    ? new Deno.Command(TIME, { args: ["-v", cmd, ...args], stdout: "piped", stderr: "piped" })
    : new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" });
  const started = performance.now();
  const child = command.spawn();
  let polledKiB: number | null = null;
  let done = false;
  const poll = (async () => {
    if (useTime) return;
    while (!done) {
      const kib = await vmHwmKiB(child.pid);
      if (kib !== null) polledKiB = Math.max(polledKiB ?? 0, kib);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const out = await child.output();
  const wallMs = performance.now() - started;
  done = true;
  await poll;
  const dec = new TextDecoder();
  let stderr = dec.decode(out.stderr);
  let peakRssKiB: number | null = polledKiB;
  let cpuMs: number | null = null;
  if (useTime) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    peakRssKiB = m ? Number(m[1]) : null;
    const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
    const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
    if (user && system) cpuMs = (Number(user[1]) + Number(system[1])) * 1000;
    // GNU time appends its report (and a line about a non-zero exit or a signal) to stderr.
    const report = /(?:^Command (?:exited|terminated) .*\n)?\tCommand being timed:/m.exec(stderr);
    if (report) stderr = stderr.slice(0, report.index);
  }
  return {
    code: out.code,
    wallMs,
    peakRssKiB,
    cpuMs,
    method: useTime ? "GNU time -v" : "polling /proc/<pid>/status VmHWM",
    stdout: dec.decode(out.stdout),
    stderr,
  };
}

/** The VmHWM (peak RSS) of a live process in KiB, or null when unavailable. */
async function vmHwmKiB(pid: number): Promise<number | null> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
