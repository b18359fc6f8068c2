/** A fake clock for tests: time moves only when the test advances it. */

interface Pending {
  at: number;
  fire: () => void;
}

/** Virtual time with sleeps and cancellable timers that fire as the test advances it. */
export class FakeClock {
  #t: number;
  #pending: Pending[] = [];

  /** Starts at `start` (epoch ms). */
  constructor(start = 1_700_000_000_000) {
    this.#t = start;
  }

  /** The current virtual time. */
  now = (): number => this.#t;

  /** Resolves when the clock has been advanced by `ms`. */
  sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) =>
      this.#pending.push({ at: this.#t + Math.max(0, ms), fire: resolve })
    );

  /** A cancellable timer on virtual time. */
  timer = (ms: number, fire: () => void): () => void => {
    const p = { at: this.#t + ms, fire };
    this.#pending.push(p);
    return () => {
      this.#pending = this.#pending.filter((x) => x !== p);
    };
  };

  /** Sleeps and timers not yet fired. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Lets promise chains run (a few real zero-delay turns; no real waiting). */
  async settle(): Promise<void> {
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
  }

  /** Moves time forward by `ms`, firing due sleeps and timers in time order. */
  async advance(ms: number): Promise<void> {
    const end = this.#t + ms;
    for (;;) {
      const next = await this.#earliest();
      if (!next || next.at > end) break;
      this.#pending.shift();
      this.#t = Math.max(this.#t, next.at);
      next.fire();
    }
    this.#t = end;
    await this.settle();
  }

  /** Moves time to the earliest pending sleep or timer and fires it; false when none. */
  async step(): Promise<boolean> {
    const next = await this.#earliest();
    if (!next) return false;
    await this.advance(Math.max(0, next.at - this.#t));
    return true;
  }

  /** Awaits `p`, advancing virtual time whenever nothing else can happen. */
  async drive<T>(p: Promise<T>): Promise<T> {
    let done = false;
    p.then(() => done = true, () => done = true);
    while (!done) {
      await this.settle();
      if (done) break;
      if (!(await this.step())) {
        await this.settle();
        if (!done) {
          throw new Error("FakeClock.drive: the promise waits on something the clock cannot move");
        }
      }
    }
    return p;
  }

  /** Advances until nothing is pending (at most `maxMs`). */
  async runAll(maxMs = 3_600_000): Promise<void> {
    const end = this.#t + maxMs;
    for (;;) {
      const next = await this.#earliest();
      if (!next || next.at > end) break;
      await this.advance(next.at - this.#t);
    }
  }

  /** Lets promise chains run, then gives the earliest pending sleep or timer (kept first). */
  async #earliest(): Promise<Pending | undefined> {
    await this.settle();
    this.#pending.sort((a, b) => a.at - b.at);
    return this.#pending[0];
  }
}
