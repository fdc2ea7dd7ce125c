/**
 * Resolves after `ms`, or at once when `signal` aborts. Its abort listener is removed when it
 * resolves: a feed follower sleeps between every two polls, for days, on one signal.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // An abort before the sleep fires no event: resolve now rather than after the whole wait.
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
