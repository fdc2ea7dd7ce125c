import { attemptVerdict, MAX_ATTEMPTS, MIN_DELAY_MS, nextAttemptAt, retryCapMs } from './retry-schedule';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const minutes = (ms: number): number => ms / 60_000;

describe('retry schedule', () => {
  it('caps the waits at 1, 2, 4, 8, 16, 32, 60 minutes and stops after 8 attempts', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => minutes(retryCapMs(attempt)))).toEqual([1, 2, 4, 8, 16, 32, 60]);
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(5);
    expect(nextAttemptAt(MAX_ATTEMPTS, NOW, () => 0.5)).toBeNull();
    expect(nextAttemptAt(MAX_ATTEMPTS - 1, NOW, () => 0.5)).not.toBeNull();
  });

  it('draws each wait uniformly between the floor and the cap (full jitter)', () => {
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const low = nextAttemptAt(attempt, NOW, () => 0)!.getTime() - NOW.getTime();
      const high = nextAttemptAt(attempt, NOW, () => 0.999999)!.getTime() - NOW.getTime();
      const middle = nextAttemptAt(attempt, NOW, () => 0.5)!.getTime() - NOW.getTime();
      expect(low).toBe(MIN_DELAY_MS);
      expect(high).toBeLessThanOrEqual(retryCapMs(attempt));
      expect(high).toBeGreaterThan(retryCapMs(attempt) * 0.99);
      expect(middle).toBeGreaterThan(low);
      expect(middle).toBeLessThan(high);
    }
  });

  it('ends a whole series within about two hours, about one on average', () => {
    const span = (draw: number): number => {
      let at = NOW;
      for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) at = nextAttemptAt(attempt, at, () => draw)!;
      return minutes(at.getTime() - NOW.getTime());
    };
    expect(span(0.999999)).toBeLessThanOrEqual(123);
    expect(span(0.5)).toBeGreaterThan(55);
    expect(span(0.5)).toBeLessThan(65);
  });

  it('refuses an attempt number that is not a positive integer', () => {
    expect(() => nextAttemptAt(0, NOW)).toThrow(RangeError);
    expect(() => nextAttemptAt(1.5, NOW)).toThrow(RangeError);
  });

  it('delivers on 2xx, disables on 410 and retries everything else', () => {
    expect(attemptVerdict(200, true)).toBe('delivered');
    expect(attemptVerdict(204, true)).toBe('delivered');
    expect(attemptVerdict(410, false)).toBe('disabled');
    for (const status of [0, 301, 302, 400, 401, 404, 408, 429, 500, 502, 503]) expect(attemptVerdict(status, false)).toBe('retry');
  });
});
