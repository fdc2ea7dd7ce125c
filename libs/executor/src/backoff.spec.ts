import { backoffDelay, isRetryableStatus, parseRetryAfter } from './backoff';

describe('backoff', () => {
  const options = { baseMs: 100, capMs: 5_000 };

  it('grows exponentially up to the cap, with jitter below the ceiling', () => {
    expect(backoffDelay(0, undefined, options, () => 0.999)).toBeLessThanOrEqual(100);
    expect(backoffDelay(3, undefined, options, () => 0.999)).toBe(799);
    expect(backoffDelay(20, undefined, options, () => 0.999)).toBe(4_995);
    const delays = Array.from({ length: 50 }, (_, i) => backoffDelay(4, undefined, options, () => i / 50));
    expect(new Set(delays).size).toBeGreaterThan(40);
    expect(Math.min(...delays)).toBe(50); // never a busy loop
  });

  it('never waits less than Retry-After', () => {
    expect(backoffDelay(0, 5_000, options, () => 0.5)).toBe(5_000);
    expect(backoffDelay(10, 1_000, options, () => 0.999)).toBe(4_995);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('5')).toBe(5_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('retries overload and server trouble only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 202, 400, 401, 403, 404, 409, 413, 422].some(isRetryableStatus)).toBe(false);
  });
});
