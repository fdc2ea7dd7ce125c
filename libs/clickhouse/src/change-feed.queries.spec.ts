import { isNarrowSlice } from './change-feed.queries';

describe('isNarrowSlice', () => {
  const slice = (from: bigint[], to: bigint[]) => ({ org_id: 'org', from, to, limit: 10 });

  it('reads a slice from its own rows while it holds at most 2% of the log up to its end', () => {
    expect(isNarrowSlice(slice([990n, 995n], [1_000n, 1_000n]))).toBe(true);
    expect(isNarrowSlice(slice([980n, 980n], [1_000n, 1_000n]))).toBe(true);
    expect(isNarrowSlice(slice([979n, 980n], [1_000n, 1_000n]))).toBe(false);
    expect(isNarrowSlice(slice([0n, 0n], [1_000n, 1_000n]))).toBe(false);
  });

  it('counts a partition past the cursor from 0 and one the cursor is past as empty', () => {
    expect(isNarrowSlice(slice([1_000n], [1_000n, 10n]))).toBe(true);
    expect(isNarrowSlice(slice([1_000n], [1_000n, 100n]))).toBe(false);
    expect(isNarrowSlice(slice([1_200n, 990n], [1_000n, 1_000n]))).toBe(true);
    expect(isNarrowSlice(slice([0n], [0n]))).toBe(true);
  });
});
