import { KeyedCounts } from './keyed-counts';

describe('KeyedCounts', () => {
  it('counts per key, down to zero', () => {
    const counts = new KeyedCounts();
    counts.add('a');
    counts.add('a');
    counts.add('b');
    expect([counts.of('a'), counts.of('b'), counts.of('c')]).toEqual([2, 1, 0]);
    counts.remove('a');
    counts.remove('b');
    expect([counts.of('a'), counts.of('b')]).toEqual([1, 0]);
    counts.remove('a');
    counts.add('a');
    expect(counts.of('a')).toBe(1);
  });
});
