import { take } from './token-bucket';
import { RequestRateLimiter } from './request-rate-limiter';
import { RetryLaterException } from '../errors/retry-later.exception';

describe('token bucket', () => {
  const rate = { perSecond: 10, burst: 5 };

  it('allows a full burst, then refuses with the seconds until a token is back', () => {
    let bucket;
    for (let i = 0; i < 5; i += 1) {
      const step = take(bucket, rate, 1_000);
      expect(step.result.allowed).toBe(true);
      bucket = step.bucket;
    }
    const refused = take(bucket, rate, 1_000);
    expect(refused.result).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the steady rate, never above the burst', () => {
    let { bucket } = take(undefined, { perSecond: 1, burst: 2 }, 0);
    bucket = take(bucket, { perSecond: 1, burst: 2 }, 0).bucket;
    expect(take(bucket, { perSecond: 1, burst: 2 }, 500).result.allowed).toBe(false);
    expect(take(bucket, { perSecond: 1, burst: 2 }, 1_000).result.allowed).toBe(true);
    expect(take(bucket, { perSecond: 1, burst: 2 }, 60_000).bucket.tokens).toBe(1);
  });

  it('asks slow rates to wait several seconds', () => {
    const { bucket } = take(undefined, { perSecond: 0.25, burst: 1 }, 0);
    expect(take(bucket, { perSecond: 0.25, burst: 1 }, 0).result).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });
});

describe('RequestRateLimiter', () => {
  let now = 0;
  const limiter = () => new RequestRateLimiter({ perSecond: 1, burst: 2, unauthenticatedPerSecond: 1, unauthenticatedBurst: 1 }, () => now);

  it('keeps one budget per token', () => {
    const l = limiter();
    l.chargeToken('a');
    l.chargeToken('a');
    expect(() => l.chargeToken('a')).toThrow(RetryLaterException);
    expect(() => l.chargeToken('b')).not.toThrow();
    now += 1_000;
    expect(() => l.chargeToken('a')).not.toThrow();
  });

  it('answers 429 with Retry-After', () => {
    const l = limiter();
    l.chargeFailedAuth('1.2.3.4');
    try {
      l.chargeFailedAuth('1.2.3.4');
      throw new Error('not limited');
    } catch (error) {
      expect(error).toBeInstanceOf(RetryLaterException);
      expect((error as RetryLaterException).getStatus()).toBe(429);
      expect((error as RetryLaterException).retryAfterSeconds).toBe(1);
    }
  });

  it('peeks at an IP budget without spending it', () => {
    const l = limiter();
    l.assertFailedAuthBudget('5.6.7.8');
    l.assertFailedAuthBudget('5.6.7.8');
    l.chargeFailedAuth('5.6.7.8');
    expect(() => l.assertFailedAuthBudget('5.6.7.8')).toThrow(RetryLaterException);
  });

  it('limits nothing when a rate is 0', () => {
    const l = new RequestRateLimiter({ perSecond: 0, burst: 1, unauthenticatedPerSecond: 0, unauthenticatedBurst: 1 }, () => now);
    for (let i = 0; i < 100; i += 1) {
      l.chargeToken('a');
      l.chargeFailedAuth('ip');
    }
  });
});
