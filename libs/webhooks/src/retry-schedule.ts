/**
 * When the next attempt of a delivery series happens. Exponential backoff with full jitter
 * (AWS's "full jitter": uniformly random between a floor and the step's cap), 8 attempts in all:
 * the first at once, then after at most 1, 2, 4, 8, 16, 32 and 60 minutes (doubling, capped at an
 * hour). The whole series ends at most 2 h 3 min after the first attempt, about 1 h on average;
 * jitter spreads the retries of many deliveries that failed together (a receiver's outage).
 */
export const MAX_ATTEMPTS = 8;
export const BASE_DELAY_MS = 60_000;
export const MAX_DELAY_MS = 60 * 60_000;
/** A retry never comes sooner than this, whatever the draw: a receiver that just failed gets a moment. */
export const MIN_DELAY_MS = 5_000;

/** The schedule's constants; operators may shorten them (tests do), never change the shape. */
export interface RetrySchedule {
  minDelayMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { minDelayMs: MIN_DELAY_MS, baseDelayMs: BASE_DELAY_MS, maxDelayMs: MAX_DELAY_MS };

/** The cap of the wait after attempt `attempt` (1-based): 1 min · 2^(attempt − 1), at most 60 min. */
export function retryCapMs(attempt: number, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number {
  return Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** (attempt - 1));
}

/**
 * When attempt `attempt + 1` is due, given that attempt `attempt` (1-based) just failed at `now`;
 * null when `attempt` was the last. `random` is a draw in [0, 1) (Math.random in production).
 */
export function nextAttemptAt(attempt: number, now: Date, random: () => number = Math.random, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): Date | null {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  if (attempt >= MAX_ATTEMPTS) return null;
  const cap = Math.max(schedule.minDelayMs, retryCapMs(attempt, schedule));
  const delay = schedule.minDelayMs + Math.floor(random() * (cap - schedule.minDelayMs));
  return new Date(now.getTime() + delay);
}

/** What an attempt's result means for its series. */
export type AttemptVerdict = 'delivered' | 'disabled' | 'retry';

/**
 * The retry rule: a 2xx is delivered; 410 Gone means the receiver is gone for good, so the
 * endpoint is disabled and nothing more is sent; anything else is retried until the last attempt:
 * 429, 5xx, timeouts and network errors, and also 3xx (redirects are never followed) and the other
 * 4xx, as dbt Cloud and Svix do: a 401/404 is often a receiver mid-deploy or a rotated credential,
 * and the schedule bounds the cost to 8 requests.
 */
export function attemptVerdict(status: number, ok: boolean): AttemptVerdict {
  if (ok && status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'disabled';
  return 'retry';
}
