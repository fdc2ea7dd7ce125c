import { UUID_PATTERN, uuidv7 } from './uuidv7';

describe('uuidv7', () => {
  it('is a version 7, variant 10 UUID carrying its millisecond timestamp', () => {
    const at = Date.UTC(2026, 1, 26, 6, 0, 0, 123);
    const id = uuidv7(at);
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const at = Date.UTC(2030, 0, 1);
    const ids = Array.from({ length: 5000 }, () => uuidv7(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws fresh random bits for every id, across refills of its random pool', () => {
    const at = Date.UTC(2031, 0, 1);
    // 2,000 ids take 16 KiB of random bytes: several refills of the 4 KiB pool.
    const tails = Array.from({ length: 2000 }, (_, i) => uuidv7(at + i).slice(19));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
