import { pollUntil } from './poll';

describe('pollUntil', () => {
  it('answers the first value a probe gives, without waiting when it is there at once', async () => {
    let probes = 0;
    expect(await pollUntil(async () => ((probes += 1) >= 1 ? 'found' : undefined), { timeoutMs: 1_000, firstDelayMs: 10, maxDelayMs: 40 })).toBe('found');
    expect(probes).toBe(1);
  });

  it('probes again with doubling waits until a value comes', async () => {
    let probes = 0;
    expect(await pollUntil(async () => ((probes += 1) === 4 ? 42 : undefined), { timeoutMs: 5_000, firstDelayMs: 1, maxDelayMs: 4 })).toBe(42);
    expect(probes).toBe(4);
  });

  it('gives undefined once the timeout has passed, after a few probes rather than one per first delay', async () => {
    let probes = 0;
    const answer = await pollUntil(
      async () => {
        probes += 1;
        return undefined;
      },
      { timeoutMs: 300, firstDelayMs: 10, maxDelayMs: 80 },
    );
    expect(answer).toBeUndefined();
    // Waits of 10, 20, 40, 80, 80, 70: at most seven probes in 300 ms, where a fixed 10 ms wait would make ~30.
    expect(probes).toBeLessThanOrEqual(8);
    expect(probes).toBeGreaterThanOrEqual(4);
  });
});
