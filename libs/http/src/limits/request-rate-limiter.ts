import ipaddr from 'ipaddr.js';
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
  /** Steady request-body bytes per second per bearer token (per client IP without one); 0 turns it off. */
  bytesPerSecond: number;
  /** Body bytes a token may send at once after a quiet spell. */
  bytesBurst: number;
  /**
   * Whether a forwarding peer's own address spends from a failed-authentication budget too
   * (PEER_FAILED_AUTH_FACTOR): on when proxies are trusted by network (trustsByNetwork), off when
   * the operator listed them, so a listed ingress is never run dry by its many clients.
   */
  limitForwardingPeers?: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  perSecond: 100,
  burst: 200,
  unauthenticatedPerSecond: 10,
  unauthenticatedBurst: 20,
  bytesPerSecond: 4 * 1024 * 1024,
  bytesBurst: 16 * 1024 * 1024,
};

/** Array items in a body that cost one more request of the token's budget. */
export const ITEMS_PER_REQUEST = 100;

/**
 * What a request costs from its token's request budget: one, plus one per ITEMS_PER_REQUEST items
 * of the arrays its body carries at its top level (log entries, samples, executions). Validating
 * and answering 2,000 items costs what tens of small requests do, so a client sending large
 * batches in a loop, valid or not, waits before it can hold the event loop every caller shares.
 */
export function requestCost(body: unknown): number {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 1;
  let items = 0;
  for (const value of Object.values(body)) if (Array.isArray(value)) items += value.length;
  return 1 + Math.floor(items / ITEMS_PER_REQUEST);
}

/** Bits of an IPv6 address one client holds: a /64 is what one subscriber or host is routed. */
const IPV6_CLIENT_PREFIX = 64;

/**
 * The key a client address's budgets are kept under: an IPv4 address as it is (IPv4-mapped IPv6
 * read as IPv4), a global IPv6 address by its /64, since one host can use any of the 2^64
 * addresses of its prefix and would otherwise get a fresh budget with each.
 */
export function clientAddressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  // Only a global address stands for a subscriber's /64; on a private or local network (an IPv6
  // cluster gives each node's pods one /64) each address is its own client.
  if (address.kind() === 'ipv4' || address.range() !== 'unicast') return address.toString();
  const prefix = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${IPV6_CLIENT_PREFIX}`);
  return `${prefix.toString()}/${IPV6_CLIENT_PREFIX}`;
}

/**
 * How many times a client's failed-authentication budget a forwarding peer gets: a trusted
 * proxy's requests come from many clients, but a peer that merely claims to forward (a pod on
 * the cluster's private network, trusted by default) cannot mint fresh budgets by rotating
 * X-Forwarded-For: its own address runs dry too. Large, since a real ingress running dry would
 * hold up every client's first request behind it: that takes a hundred addresses failing at once.
 */
export const PEER_FAILED_AUTH_FACTOR = 100;

/** Buckets kept per kind; an evicted key starts again with a full bucket. */
const MAX_KEYS = 100_000;
/** How long a token that authenticated counts as known to the body gate (admitBody). */
const KNOWN_TOKEN_MS = 10 * 60_000;

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

  /** Takes `cost` tokens; undefined when allowed, else the seconds to wait. */
  take(key: string, cost = 1): number | undefined {
    if (!this.enabled) return undefined;
    const { bucket, result } = take(this.buckets.get(key), this.rate, this.now(), cost);
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
  private readonly unauthenticatedPeers: KeyedBuckets;
  private readonly bodyBytes: KeyedBuckets;
  /**
   * Bearer tokens (as sent) that passed authentication within KNOWN_TOKEN_MS: their bodies are
   * read even from an IP out of failed authentications. Forgotten after a while, so a revoked
   * token does not stay known.
   */
  private readonly authenticated = new LRUCache<string, true>({ max: MAX_KEYS, ttl: KNOWN_TOKEN_MS });

  constructor(
    readonly options: RateLimitOptions = DEFAULT_RATE_LIMIT,
    now: () => number = Date.now,
  ) {
    this.callers = new KeyedBuckets({ perSecond: options.perSecond, burst: options.burst }, now);
    this.unauthenticated = new KeyedBuckets({ perSecond: options.unauthenticatedPerSecond, burst: options.unauthenticatedBurst }, now);
    this.unauthenticatedPeers = new KeyedBuckets(
      { perSecond: options.unauthenticatedPerSecond * PEER_FAILED_AUTH_FACTOR, burst: options.unauthenticatedBurst * PEER_FAILED_AUTH_FACTOR },
      now,
    );
    this.bodyBytes = new KeyedBuckets({ perSecond: options.bytesPerSecond, burst: options.bytesBurst }, now);
  }

  /**
   * Before a request's body is read (its size as declared): 429 when a token not seen to
   * authenticate comes from a client IP out of failed authentications (a flood of made-up
   * tokens), or when the sender's byte budget is spent (a known token's own, else its IP's). Runners behind one address keep
   * writing while one of them holds a bad token: their tokens are known.
   */
  admitBody(token: string | undefined, ip: string, bytes: number, peer?: string): void {
    const known = token !== undefined && this.authenticated.has(token);
    if (!known) this.assertFailedAuthBudget(ip, peer);
    // A token not yet seen to authenticate spends its IP's bytes: made-up tokens, one per
    // request, would each get a full budget of their own and flood the process with bodies.
    this.chargeBodyBytes(known ? token : `ip:${clientAddressKey(ip)}`, bytes);
  }

  /** Notes a bearer token that passed authentication (the auth guard calls it). */
  rememberAuthenticated(token: string): void {
    this.authenticated.set(token, true);
  }

  /**
   * Spends a request body's bytes from its sender's byte budget (keyed by the bearer token as
   * sent, which needs no lookup, or the client IP); throws 429 when it is used up. Charged
   * before the body is read, so a client sending large bodies in a loop waits instead of
   * holding the event loop every other caller shares while they are parsed.
   */
  private chargeBodyBytes(sender: string, bytes: number): void {
    const wait = this.bodyBytes.take(sender, bytes);
    if (wait !== undefined) {
      throw tooManyRequests(
        `request body budget of ${this.options.bytesPerSecond} bytes/s (burst ${this.options.bytesBurst}) for this sender exceeded; retry after ${wait} s`,
        wait,
      );
    }
  }

  /** Spends `cost` requests of a token's budget (requestCost); throws 429 when it is used up. */
  chargeToken(tokenId: string, cost = 1): void {
    const wait = this.callers.take(tokenId, cost);
    if (wait !== undefined) {
      throw tooManyRequests(
        `rate limit of ${this.options.perSecond} requests/s (burst ${this.options.burst}) for this token exceeded; retry after ${wait} s`,
        wait,
      );
    }
  }

  /**
   * Spends one failed authentication of a client IP's budget, and of its forwarding peer's (the
   * socket's address, when the IP came from X-Forwarded-For); throws 429 when either is used up.
   */
  chargeFailedAuth(ip: string, peer?: string): void {
    // The client's own budget first: a client already out of it spends nothing of its peer's, so
    // one client retrying cannot run dry the proxy every other client comes through.
    const wait =
      this.unauthenticated.take(clientAddressKey(ip)) ?? (this.limitsPeer(ip, peer) ? this.unauthenticatedPeers.take(clientAddressKey(peer)) : undefined);
    if (wait !== undefined) throw this.failedAuthLimit(wait);
  }

  /** Throws 429 when a client IP, or its forwarding peer, has no failed authentications left, without spending one. */
  assertFailedAuthBudget(ip: string, peer?: string): void {
    const forwarded = this.limitsPeer(ip, peer);
    const wait = (forwarded ? this.unauthenticatedPeers.peek(clientAddressKey(peer)) : undefined) ?? this.unauthenticated.peek(clientAddressKey(ip));
    if (wait !== undefined) throw this.failedAuthLimit(wait);
  }

  private limitsPeer(ip: string, peer: string | undefined): peer is string {
    return this.options.limitForwardingPeers !== false && peer !== undefined && peer !== ip;
  }

  private failedAuthLimit(wait: number) {
    return tooManyRequests(`too many requests without a valid token from this address; retry after ${wait} s`, wait);
  }
}
