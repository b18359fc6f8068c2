/** A counting semaphore with a first-come, first-served queue. */

/** Grants at most `size` holders at once; waiters are served in arrival order. */
export class Semaphore {
  #free: number;
  #queue: (() => void)[] = [];

  /** A semaphore with `size` permits (at least 1). */
  constructor(readonly size: number) {
    this.#free = Math.max(1, Math.floor(size));
  }

  /** Permits held right now. */
  get held(): number {
    return Math.max(1, Math.floor(this.size)) - this.#free;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Waits for a permit; the returned function gives it back (once). */
  async acquire(): Promise<() => void> {
    if (this.#free > 0 && this.#queue.length === 0) {
      this.#free--;
    } else {
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
