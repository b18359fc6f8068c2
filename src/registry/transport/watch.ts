/** Streams watched on their way through the wire layer, and promises cut short by a signal. */

/** Hooks of a watched stream. */
export interface Watch {
  /** Aborting it fails a pending read, whatever the source stream does. */
  signal?: AbortSignal;
  beforeRead: () => void;
  onChunk: (bytes: number) => void;
  onEnd: () => void;
  mapError: (e: unknown) => unknown;
}

/** A pull-through copy of `src` that reports reads, chunks, the end and errors. */
export function watch(src: ReadableStream<Uint8Array>, w: Watch): ReadableStream<Uint8Array> {
  const reader = src.getReader();
  // One abort listener for the whole stream (not one per read): it fails the pending read.
  let failPending: ((e: unknown) => void) | undefined;
  const onAbort = () => failPending?.(w.signal?.reason);
  w.signal?.addEventListener("abort", onAbort, { once: true });
  const end = () => {
    w.signal?.removeEventListener("abort", onAbort);
    w.onEnd();
  };
  const read = (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    if (w.signal === undefined) return reader.read();
    if (w.signal.aborted) return Promise.reject(w.signal.reason);
    return new Promise((resolve, reject) => {
      failPending = reject;
      reader.read().then(resolve, reject);
    });
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      w.beforeRead();
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await read();
      } catch (e) {
        end();
        reader.cancel(e).catch(() => {});
        controller.error(w.mapError(e));
        return;
      } finally {
        failPending = undefined;
      }
      if (r.done) {
        end();
        controller.close();
        return;
      }
      w.onChunk(r.value.byteLength);
      controller.enqueue(r.value);
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** `p`, or a rejection with the signal's reason as soon as it aborts. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
