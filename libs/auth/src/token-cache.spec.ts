import { Caller } from '@runstream/http';
import { TokenCache, TokenCacheOptions } from './token-cache';

const caller: Caller = { orgId: 'org_a', tokenId: 'tok_1', kind: 'user', gateway: '' };

/** A lookup the test answers by hand, counting calls. */
class ManualLookup {
  calls = 0;
  answers = new Map<string, Caller | undefined>();
  private pending: (() => void)[] = [];
  held = false;

  lookup = (hash: string): Promise<Caller | undefined> => {
    this.calls += 1;
    const answer = () => this.answers.get(hash);
    if (!this.held) return Promise.resolve(answer());
    return new Promise((resolve) => this.pending.push(() => resolve(answer())));
  };

  release(): void {
    this.held = false;
    this.pending.splice(0).forEach((resolve) => resolve());
  }
}

describe('TokenCache', () => {
  let now: number;
  let lookups: ManualLookup;
  let cache: TokenCache;
  const options = (): TokenCacheOptions => ({ freshMs: 5_000, maxStaleMs: 30_000, negativeTtlMs: 5_000, maxEntries: 3, now: () => now });
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => {
    now = 1_000_000;
    lookups = new ManualLookup();
    lookups.answers.set('known', caller);
    cache = new TokenCache(lookups.lookup, options());
  });

  it('looks a token up once while fresh', async () => {
    expect(await cache.get('known')).toEqual(caller);
    now += 4_000;
    expect(await cache.get('known')).toEqual(caller);
    expect(lookups.calls).toBe(1);
  });

  it('shares one lookup between concurrent misses', async () => {
    lookups.held = true;
    const answers = Promise.all([cache.get('known'), cache.get('known'), cache.get('known')]);
    lookups.release();
    expect(await answers).toEqual([caller, caller, caller]);
    expect(lookups.calls).toBe(1);
  });

  it('remembers unknown tokens for the negative TTL', async () => {
    for (let i = 0; i < 10; i += 1) expect(await cache.get('unknown')).toBeUndefined();
    expect(lookups.calls).toBe(1);
    now += 5_001;
    await cache.get('unknown');
    expect(lookups.calls).toBe(2);
  });

  it('serves a stale token at once and refreshes it in the background', async () => {
    await cache.get('known');
    now += 6_000;
    lookups.held = true;
    expect(await cache.get('known')).toEqual(caller); // not waiting on the held lookup
    expect(await cache.get('known')).toEqual(caller);
    expect(lookups.calls).toBe(2); // one background refresh for both
    lookups.answers.set('known', undefined); // revoked meanwhile
    lookups.release();
    await flush();
    expect(await cache.get('known')).toBeUndefined();
  });

  it('makes requests wait for the lookup once the entry is past maxStale', async () => {
    await cache.get('known');
    now += 30_001;
    lookups.answers.set('known', undefined);
    expect(await cache.get('known')).toBeUndefined();
  });

  it('keeps the stale answer when a background refresh fails, until maxStale', async () => {
    let failing = false;
    const flaky = new TokenCache(async (hash) => {
      if (failing) throw new Error('store down');
      return lookups.lookup(hash);
    }, options());
    await flaky.get('known');
    failing = true;
    now += 6_000;
    expect(await flaky.get('known')).toEqual(caller);
    await flush();
    expect(await flaky.get('known')).toEqual(caller);
    now += 24_001;
    await expect(flaky.get('known')).rejects.toThrow('store down');
  });

  it('runs beforeLookup only on a miss, and a throw there prevents the lookup', async () => {
    const before = jest.fn();
    await cache.get('known', before);
    await cache.get('known', before);
    expect(before).toHaveBeenCalledTimes(1);
    await expect(
      cache.get('other', () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(lookups.calls).toBe(1);
  });

  it('evicts the least recently used token when full, not everything', async () => {
    for (const hash of ['a', 'b', 'c']) lookups.answers.set(hash, { ...caller, tokenId: hash });
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    await cache.get('a');
    await cache.get('known'); // evicts b
    const calls = lookups.calls;
    await cache.get('a');
    await cache.get('c');
    expect(lookups.calls).toBe(calls);
    await cache.get('b');
    expect(lookups.calls).toBe(calls + 1);
  });

  it('forgets a revoked token at once', async () => {
    await cache.get('known');
    cache.forget('known');
    expect(await cache.get('known')).toBeUndefined();
    expect(lookups.calls).toBe(1);
  });
});
