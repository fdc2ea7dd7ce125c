/**
 * Retry timing for the agent's HTTP calls. Hand-written (about 20 lines) rather than p-retry:
 * p-retry 6+ is ESM-only, and the agent needs two things it does not give directly: the
 * server's Retry-After as a lower bound, and a deadline that the shutdown path can shorten.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, capMs: 15_000 };

/**
 * Delay before retry number `attempt` (0-based): "full jitter" exponential backoff (a random
 * delay up to base·2^attempt, capped), so agents that lost ingest at the same moment do not
 * come back in lockstep; never shorter than the server's Retry-After.
 */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  const jittered = Math.max(options.baseMs / 2, Math.floor(random() * ceiling));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Retry-After in seconds (the form ingest sends) or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Network errors, overload and server trouble are worth retrying; other answers are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
