/** Answers the retry layer gave back after its last attempt (an error built from one says so). */

const exhausted = new WeakSet<Response>();

/** Marks an answer as the last of every attempt the retry policy allows. */
export function markExhausted(res: Response): Response {
  exhausted.add(res);
  return res;
}

/** Whether the retry layer gave this answer back after its last attempt. */
export function wasExhausted(res: Response): boolean {
  return exhausted.has(res);
}
