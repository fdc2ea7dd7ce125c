import { LRUCache } from 'lru-cache';
import { tooManyRequests } from '../errors/retry-later.exception';
import { Bucket, BucketRate, refill, secondsUntilToken, take } from './token-bucket';

export interface RateLimitOptions {
  /** Steady requests per second per token; 0 turns the per-token limit off. */
  perSecond: number;
  /** Requests a token may send at once after a quiet spell. */
  burst: number;
  /** Failed authentications (no, malformed, unknown or revoked token) per second per client IP; 0 turns it off. */
  unauthenticatedPerSecond: number;
  unauthenticatedBurst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 100, burst: 200, unauthenticatedPerSecond: 10, unauthenticatedBurst: 20 };

/** Buckets kept per kind; an evicted key starts again with a full bucket. */
const MAX_KEYS = 100_000;

/** Token buckets keyed by one string (a token id or a client IP), bounded in memory. */
class KeyedBuckets {
  private readonly buckets = new LRUCache<string, Bucket>({ max: MAX_KEYS });

  constructor(
    private readonly rate: BucketRate,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.rate.perSecond > 0;
  }

  /** Takes a token; undefined when allowed, else the seconds to wait. */
  take(key: string): number | undefined {
    if (!this.enabled) return undefined;
    const { bucket, result } = take(this.buckets.get(key), this.rate, this.now());
    this.buckets.set(key, bucket);
    return result.allowed ? undefined : result.retryAfterSeconds;
  }

  /** The seconds to wait when the bucket is empty, without taking a token. */
  peek(key: string): number | undefined {
    if (!this.enabled) return undefined;
    const bucket = refill(this.buckets.get(key), this.rate, this.now());
    return bucket.tokens >= 1 ? undefined : secondsUntilToken(bucket, this.rate);
  }
}

/**
 * Per-token and per-IP rate limits, applied by the auth guard once it knows who is calling:
 * an authenticated request spends from its token's bucket; a failed authentication spends
 * from its client IP's (smaller) bucket, so floods of bad tokens are cut off too.
 * Exhausted buckets answer 429 with Retry-After.
 */
export class RequestRateLimiter {
  private readonly callers: KeyedBuckets;
  private readonly unauthenticated: KeyedBuckets;

  constructor(
    readonly options: RateLimitOptions = DEFAULT_RATE_LIMIT,
    now: () => number = Date.now,
  ) {
    this.callers = new KeyedBuckets({ perSecond: options.perSecond, burst: options.burst }, now);
    this.unauthenticated = new KeyedBuckets({ perSecond: options.unauthenticatedPerSecond, burst: options.unauthenticatedBurst }, now);
  }

  /** Spends one request of a token's budget; throws 429 when it is used up. */
  chargeToken(tokenId: string): void {
    const wait = this.callers.take(tokenId);
    if (wait !== undefined) {
      throw tooManyRequests(
        `rate limit of ${this.options.perSecond} requests/s (burst ${this.options.burst}) for this token exceeded; retry after ${wait} s`,
        wait,
      );
    }
  }

  /** Spends one failed authentication of a client IP's budget; throws 429 when it is used up. */
  chargeFailedAuth(ip: string): void {
    const wait = this.unauthenticated.take(ip);
    if (wait !== undefined) throw this.failedAuthLimit(wait);
  }

  /** Throws 429 when a client IP has no failed authentications left, without spending one. */
  assertFailedAuthBudget(ip: string): void {
    const wait = this.unauthenticated.peek(ip);
    if (wait !== undefined) throw this.failedAuthLimit(wait);
  }

  private failedAuthLimit(wait: number) {
    return tooManyRequests(`too many requests without a valid token from this address; retry after ${wait} s`, wait);
  }
}
