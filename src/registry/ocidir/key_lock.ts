/** Serialises async work per key within this process (one queue per layout directory). */

const tails = new Map<string, Promise<void>>();

/** Runs `fn` after every earlier `withKeyLock` call for the same key has finished. */
export async function withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => release = r);
  const tail = before.then(() => mine);
  tails.set(key, tail);
  await before;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
