import { Logger } from '@nestjs/common';
import { Caller } from '@runstream/http';
import { LRUCache } from 'lru-cache';

export interface TokenCacheOptions {
  /** A verified token is trusted this long without any lookup. */
  freshMs: number;
  /**
   * Past freshMs and up to this long after its last successful check, a token is still
   * accepted from the cache while a background lookup refreshes it; past this, requests
   * wait for the lookup. Bounds how long a revoked token keeps working when lookups are slow.
   */
  maxStaleMs: number;
  /** Unknown or revoked tokens are refused this long without a new lookup. */
  negativeTtlMs: number;
  /** Tokens remembered per kind (least recently used dropped first). */
  maxEntries: number;
  now: () => number;
}

export const DEFAULT_TOKEN_CACHE: TokenCacheOptions = {
  freshMs: 5_000,
  maxStaleMs: 30_000,
  negativeTtlMs: 5_000,
  maxEntries: 10_000,
  now: () => performance.now(),
};

interface Known {
  caller: Caller;
  checkedAt: number;
}

/** The lookup behind the cache: a token hash to its caller, undefined when unknown or revoked. */
export type TokenLookup = (hash: string) => Promise<Caller | undefined>;

/**
 * Token hashes to callers, in front of a slow lookup: fresh hits never touch the store;
 * stale hits are served while one background lookup refreshes them (stale-while-revalidate,
 * so a known token never waits behind busy analytics); misses share one lookup per hash
 * (single-flight); unknown hashes are remembered too, so a flood of one bad token costs one
 * lookup per negativeTtlMs.
 */
export class TokenCache {
  private readonly known: LRUCache<string, Known>;
  private readonly unknown: LRUCache<string, true>;
  private readonly inflight = new Map<string, Promise<Caller | undefined>>();
  private readonly logger = new Logger('TokenCache');

  constructor(
    private readonly lookup: TokenLookup,
    private readonly options: TokenCacheOptions = DEFAULT_TOKEN_CACHE,
  ) {
    // ttlResolution 0: read the clock on every check rather than caching it for a millisecond.
    const timing = { perf: { now: options.now }, ttlResolution: 0 };
    this.known = new LRUCache({ max: options.maxEntries, ttl: options.maxStaleMs, ...timing });
    this.unknown = new LRUCache({ max: options.maxEntries, ttl: options.negativeTtlMs, ...timing });
  }

  /**
   * The caller for a hash. `beforeLookup` runs only when the answer needs a lookup the
   * request must wait for (it may throw to refuse the request before the store is asked).
   */
  async get(hash: string, beforeLookup?: () => void): Promise<Caller | undefined> {
    const known = this.known.get(hash);
    if (known) {
      if (this.options.now() - known.checkedAt >= this.options.freshMs) this.refreshInBackground(hash);
      return known.caller;
    }
    if (this.unknown.has(hash)) return undefined;
    beforeLookup?.();
    return this.load(hash);
  }

  /** Drops a hash at once (its token was revoked here). */
  forget(hash: string): void {
    this.known.delete(hash);
    this.unknown.set(hash, true);
  }

  private refreshInBackground(hash: string): void {
    if (this.inflight.has(hash)) return;
    this.load(hash).catch((error: unknown) =>
      this.logger.warn(`token refresh failed; the cached answer stands until it is ${this.options.maxStaleMs} ms old: ${String(error)}`),
    );
  }

  private load(hash: string): Promise<Caller | undefined> {
    const running = this.inflight.get(hash);
    if (running) return running;
    const startedAt = this.options.now();
    const loading = this.lookup(hash)
      .then((caller) => {
        if (caller) {
          this.known.set(hash, { caller, checkedAt: startedAt });
          this.unknown.delete(hash);
        } else {
          this.known.delete(hash);
          this.unknown.set(hash, true);
        }
        return caller;
      })
      .finally(() => this.inflight.delete(hash));
    this.inflight.set(hash, loading);
    return loading;
  }
}
