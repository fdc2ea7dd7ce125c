import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `work`, and again after each of `delaysMs` while it fails; the last failure is thrown.
 * Only for work that is safe to repeat. `onRetry` hears each failure that will be retried.
 * Hand-written (a dozen lines) rather than p-retry, which is ESM-only from version 6.
 */
export async function withRetries<T>(work: () => Promise<T>, delaysMs: readonly number[], onRetry?: (error: unknown) => void): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= delaysMs.length) throw error;
      onRetry?.(error);
      await sleep(delaysMs[attempt]);
    }
  }
}
