import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** Give up this long after the first probe. */
  timeoutMs: number;
  /** The wait after the first miss; each later wait doubles, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
}

/**
 * Probes until it gives a value, or undefined once timeoutMs has passed. The waits double:
 * what is there at once (or soon) is seen soon, and a wait that lasts (materializer lag, a
 * typo'd id) costs a handful of probes rather than one every few milliseconds.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  for (let delay = options.firstDelayMs; ; delay = Math.min(delay * 2, options.maxDelayMs)) {
    const value = await probe();
    if (value !== undefined) return value;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(delay, left));
  }
}
