import { take } from './token-bucket';
import { clientAddressKey, PEER_FAILED_AUTH_FACTOR, RequestRateLimiter, requestCost } from './request-rate-limiter';
import { RetryLaterException } from '../errors/retry-later.exception';
import { DEFAULT_TRUST_PROXY, trustsByNetwork } from './http-limits.env';

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

  it('takes a cost at once, and a cost above the burst as the burst', () => {
    const bytes = { perSecond: 1_000, burst: 4_000 };
    const { bucket } = take(undefined, bytes, 0, 3_000);
    expect(bucket.tokens).toBe(1_000);
    expect(take(bucket, bytes, 0, 2_000).result).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(take(bucket, bytes, 1_000, 2_000).result.allowed).toBe(true);
    expect(take(undefined, bytes, 0, 1_000_000).result.allowed).toBe(true);
    expect(take(bucket, bytes, 0, 1_000_000).result).toEqual({ allowed: false, retryAfterSeconds: 3 });
  });

  it('asks slow rates to wait several seconds', () => {
    const { bucket } = take(undefined, { perSecond: 0.25, burst: 1 }, 0);
    expect(take(bucket, { perSecond: 0.25, burst: 1 }, 0).result).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });
});

describe('RequestRateLimiter', () => {
  let now = 0;
  const limiter = () =>
    new RequestRateLimiter(
      { perSecond: 1, burst: 2, unauthenticatedPerSecond: 1, unauthenticatedBurst: 1, bytesPerSecond: 1_000, bytesBurst: 4_000 },
      () => now,
    );

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

  it('charges a request one token, plus one per 100 items of the arrays its body carries', () => {
    expect(requestCost(undefined)).toBe(1);
    expect(requestCost({ status: 'running' })).toBe(1);
    expect(requestCost({ logEntries: new Array(99).fill({}) })).toBe(1);
    expect(requestCost({ logEntries: new Array(2_000).fill({}), telemetrySamples: new Array(100).fill({}) })).toBe(22);
    expect(requestCost([1, 2, 3])).toBe(1);
    const l = limiter();
    l.chargeToken('big', 3);
    expect(() => l.chargeToken('big', 3)).toThrow(RetryLaterException);
  });

  it('limits nothing when a rate is 0', () => {
    const l = new RequestRateLimiter(
      { perSecond: 0, burst: 1, unauthenticatedPerSecond: 0, unauthenticatedBurst: 1, bytesPerSecond: 0, bytesBurst: 1 },
      () => now,
    );
    for (let i = 0; i < 100; i += 1) {
      l.chargeToken('a');
      l.chargeFailedAuth('ip');
      l.admitBody('a', 'ip', 1_000_000);
    }
  });

  it('keeps one body-byte budget per authenticated token, and per IP without one', () => {
    const l = limiter();
    l.rememberAuthenticated('a');
    l.rememberAuthenticated('b');
    l.admitBody('a', '1.1.1.1', 3_000);
    expect(() => l.admitBody('a', '1.1.1.1', 2_000)).toThrow(RetryLaterException);
    expect(() => l.admitBody('b', '1.1.1.1', 2_000)).not.toThrow();
    l.admitBody(undefined, '2.2.2.2', 4_000);
    expect(() => l.admitBody(undefined, '2.2.2.2', 1)).toThrow(/request body budget of 1000 bytes\/s \(burst 4000\)/);
    expect(() => l.admitBody(undefined, '3.3.3.3', 1)).not.toThrow();
    now += 2_000;
    expect(() => l.admitBody('a', '1.1.1.1', 2_000)).not.toThrow();
  });

  it('charges the bodies of tokens not yet seen to authenticate to their IP: made-up tokens get no budget of their own', () => {
    const l = limiter();
    l.admitBody('made-up-1', '7.7.7.7', 3_000);
    expect(() => l.admitBody('made-up-2', '7.7.7.7', 2_000)).toThrow(/request body budget of 1000 bytes\/s \(burst 4000\)/);
    expect(() => l.admitBody('made-up-3', '8.8.8.8', 2_000)).not.toThrow();
  });

  it('reads no body of an unknown token from an IP out of failed authentications, but does of a known one', () => {
    const l = limiter();
    l.rememberAuthenticated('good');
    l.chargeFailedAuth('9.9.9.9');
    expect(() => l.admitBody('made-up', '9.9.9.9', 10)).toThrow(/without a valid token/);
    expect(() => l.admitBody(undefined, '9.9.9.9', 10)).toThrow(/without a valid token/);
    expect(() => l.admitBody('good', '9.9.9.9', 10)).not.toThrow();
  });

  it('keeps one failed-authentication budget per IPv6 /64: a host cannot rotate through its prefix', () => {
    const l = limiter();
    l.chargeFailedAuth('2a00:1450:1:2::1');
    expect(() => l.chargeFailedAuth('2a00:1450:1:2:ffff:aaaa:bbbb:cccc')).toThrow(/without a valid token/);
    expect(() => l.admitBody('made-up', '2a00:1450:1:2::99', 10)).toThrow(/without a valid token/);
    expect(() => l.chargeFailedAuth('2a00:1450:1:3::1')).not.toThrow();
  });
});

describe('failed authentications through a forwarding peer', () => {
  const limiter = () =>
    new RequestRateLimiter({ perSecond: 1, burst: 1, unauthenticatedPerSecond: 1, unauthenticatedBurst: 2, bytesPerSecond: 1_000, bytesBurst: 4_000 }, () => 0);

  it('runs a peer dry after PEER_FAILED_AUTH_FACTOR times a client budget, however it rotates X-Forwarded-For', () => {
    const l = limiter();
    const client = (i: number) => `198.${18 + Math.floor(i / 256)}.${i % 256}.1`;
    for (let i = 0; i < 2 * PEER_FAILED_AUTH_FACTOR; i += 1) l.chargeFailedAuth(client(i), '10.1.2.3');
    expect(() => l.chargeFailedAuth('198.51.100.7', '10.1.2.3')).toThrow(/without a valid token/);
    expect(() => l.assertFailedAuthBudget('198.51.100.8', '10.1.2.3')).toThrow(/without a valid token/);
    expect(() => l.admitBody('made-up', '198.51.100.9', 10, '10.1.2.3')).toThrow(/without a valid token/);
    // Another peer, and a client not forwarded at all, keep their own budgets.
    expect(() => l.chargeFailedAuth('198.51.100.7', '10.9.9.9')).not.toThrow();
    expect(() => l.chargeFailedAuth('10.1.2.4', '10.1.2.4')).not.toThrow();
  });

  it("leaves peers the operator listed (HTTP_TRUST_PROXY addresses) to their clients' budgets alone", () => {
    const l = new RequestRateLimiter(
      { perSecond: 1, burst: 1, unauthenticatedPerSecond: 1, unauthenticatedBurst: 2, bytesPerSecond: 1_000, bytesBurst: 4_000, limitForwardingPeers: false },
      () => 0,
    );
    for (let i = 0; i < 4 * PEER_FAILED_AUTH_FACTOR; i += 1) l.chargeFailedAuth(`198.${18 + Math.floor(i / 256)}.${i % 256}.1`, '10.1.2.3');
    expect(() => l.chargeFailedAuth('198.51.100.7', '10.1.2.3')).not.toThrow();
    expect(trustsByNetwork(['10.1.2.3', '192.0.2.0/24'])).toBe(false);
    expect(trustsByNetwork(DEFAULT_TRUST_PROXY.split(','))).toBe(true);
    expect(trustsByNetwork(true)).toBe(true);
    expect(trustsByNetwork(1)).toBe(true);
    expect(trustsByNetwork(false)).toBe(false);
  });

  it("spends nothing of the peer's budget for a client already out of its own", () => {
    const l = limiter();
    l.chargeFailedAuth('203.0.113.9', '10.1.2.3');
    l.chargeFailedAuth('203.0.113.9', '10.1.2.3');
    // Retrying past its own budget, many times the peer's: each refused by the client's budget alone.
    for (let i = 0; i < 4 * PEER_FAILED_AUTH_FACTOR; i += 1) expect(() => l.chargeFailedAuth('203.0.113.9', '10.1.2.3')).toThrow(/without a valid token/);
    expect(() => l.chargeFailedAuth('203.0.113.10', '10.1.2.3')).not.toThrow();
  });

  it('still limits each forwarded client by its own budget', () => {
    const l = limiter();
    l.chargeFailedAuth('203.0.113.1', '10.1.2.3');
    l.chargeFailedAuth('203.0.113.1', '10.1.2.3');
    expect(() => l.chargeFailedAuth('203.0.113.1', '10.1.2.3')).toThrow(/without a valid token/);
    expect(() => l.chargeFailedAuth('203.0.113.2', '10.1.2.3')).not.toThrow();
  });
});

describe('clientAddressKey', () => {
  it('keys IPv4 as it is, IPv4-mapped IPv6 as its IPv4, IPv6 by its /64', () => {
    expect(clientAddressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(clientAddressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientAddressKey('2A00:1450:1:2:3:4:5:6')).toBe('2a00:1450:1:2::/64');
    // A private or local IPv6 address is its own client (an IPv6 cluster gives a node's pods one /64).
    expect(clientAddressKey('fd00:10:1:2::7')).toBe('fd00:10:1:2::7');
    expect(clientAddressKey('fe80::1')).toBe('fe80::1');
    expect(clientAddressKey('')).toBe('');
  });
});
