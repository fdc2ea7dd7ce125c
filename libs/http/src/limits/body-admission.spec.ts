import { RetryLaterException } from '../errors/retry-later.exception';
import { bodyRefusal, declaredBodyBytes } from './body-admission';
import { DEFAULT_RATE_LIMIT, RequestRateLimiter } from './request-rate-limiter';

describe('declaredBodyBytes', () => {
  it('is the Content-Length, at most the body limit', () => {
    expect(declaredBodyBytes({ 'content-length': '278' }, 1_024)).toBe(278);
    expect(declaredBodyBytes({ 'content-length': '5000' }, 1_024)).toBe(1_024);
  });

  it('is the body limit for a chunked body and 0 without one', () => {
    expect(declaredBodyBytes({ 'transfer-encoding': 'chunked' }, 1_024)).toBe(1_024);
    expect(declaredBodyBytes({}, 1_024)).toBe(0);
    expect(declaredBodyBytes({ 'content-length': '0' }, 1_024)).toBe(0);
    expect(declaredBodyBytes({ 'content-length': 'lots' }, 1_024)).toBe(0);
  });
});

describe('bodyRefusal', () => {
  const limiter = () => new RequestRateLimiter({ ...DEFAULT_RATE_LIMIT, bytesPerSecond: 100, bytesBurst: 1_000 }, () => 0);

  it('charges the bearer token named in the headers (once it authenticated), and refuses with 429 once its budget is spent', () => {
    const l = limiter();
    l.rememberAuthenticated('rst_one');
    l.rememberAuthenticated('rst_two');
    const headers = { authorization: 'Bearer rst_one', 'content-length': '600' };
    expect(bodyRefusal(headers, '1.2.3.4', l, 1_000_000)).toBeUndefined();
    const refusal = bodyRefusal(headers, '1.2.3.4', l, 1_000_000);
    expect(refusal).toBeInstanceOf(RetryLaterException);
    expect(refusal?.getStatus()).toBe(429);
    expect(refusal?.retryAfterSeconds).toBe(2);
    expect(bodyRefusal({ ...headers, authorization: 'Bearer rst_two' }, '1.2.3.4', l, 1_000_000)).toBeUndefined();
  });

  it('lets requests without a body through untouched', () => {
    const l = limiter();
    for (let i = 0; i < 10; i += 1) expect(bodyRefusal({ authorization: 'Bearer rst_one' }, '1.2.3.4', l, 1_000)).toBeUndefined();
  });
});
