import { UUID_PATTERN, uuidv7, uuidv7HexMillis } from './uuidv7';

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

describe('uuidv7HexMillis', () => {
  it('reads back the millisecond an id was minted at', () => {
    // Later than any id this file minted before: the generator never goes back in time.
    for (const at of [Date.UTC(2032, 0, 1, 0, 0, 0, 7), Date.UTC(2032, 5, 1)]) expect(uuidv7HexMillis(uuidv7(at).replace(/-/g, ''))).toBe(at);
  });

  it('answers undefined for digits that are not a UUIDv7', () => {
    const v7 = uuidv7(1_700_000_000_123).replace(/-/g, '');
    expect(uuidv7HexMillis(`${v7.slice(0, 12)}4${v7.slice(13)}`)).toBeUndefined(); // version 4
    expect(uuidv7HexMillis(`${v7.slice(0, 16)}c${v7.slice(17)}`)).toBeUndefined(); // not the RFC variant
    expect(uuidv7HexMillis(v7.toUpperCase())).toBeUndefined();
    expect(uuidv7HexMillis(v7.slice(1))).toBeUndefined();
    expect(uuidv7HexMillis('')).toBeUndefined();
  });
});
