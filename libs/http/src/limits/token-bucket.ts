/** A token bucket's state: tokens left and when they were last counted. */
export interface Bucket {
  tokens: number;
  at: number;
}

export interface BucketRate {
  /** Tokens added per second (the steady request rate). */
  perSecond: number;
  /** Bucket size (the largest burst after a quiet spell). */
  burst: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The bucket refilled up to `now`; a missing bucket is full. */
export function refill(bucket: Bucket | undefined, rate: BucketRate, now: number): Bucket {
  if (!bucket) return { tokens: rate.burst, at: now };
  const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
  return { tokens: Math.min(rate.burst, bucket.tokens + elapsedSeconds * rate.perSecond), at: now };
}

/** Whole seconds until `cost` tokens are back (at least 1, as Retry-After takes whole seconds). */
export function secondsUntilToken(bucket: Bucket, rate: BucketRate, cost = 1): number {
  return Math.max(1, Math.ceil((cost - bucket.tokens) / rate.perSecond));
}

/**
 * Takes `cost` tokens (one request, or a body's bytes): allowed with the bucket left, or
 * refused with the seconds until they are back. A cost above the burst is taken as the burst,
 * so it passes on a full bucket instead of never. Pure, so the arithmetic is tested without clocks.
 */
export function take(bucket: Bucket | undefined, rate: BucketRate, now: number, cost = 1): { bucket: Bucket; result: TakeResult } {
  const current = refill(bucket, rate, now);
  const due = Math.min(cost, rate.burst);
  if (current.tokens >= due) return { bucket: { tokens: current.tokens - due, at: now }, result: { allowed: true } };
  return { bucket: current, result: { allowed: false, retryAfterSeconds: secondsUntilToken(current, rate, due) } };
}
