import { OwnerShares } from './owner-shares';

describe('OwnerShares', () => {
  it("evicts an owner's own oldest slots once it passes its share, never another owner's", () => {
    const shares = new OwnerShares(1_000);
    expect(shares.add('quiet', 'q1', 100)).toEqual([]);
    expect(shares.add('loud', 'a', 400)).toEqual([]);
    expect(shares.add('loud', 'b', 400)).toEqual([]);
    expect(shares.add('loud', 'c', 400)).toEqual(['a']);
    expect(shares.add('loud', 'd', 900)).toEqual(['b', 'c']);
    expect(shares.bytesOf('loud')).toBe(900);
    expect(shares.bytesOf('quiet')).toBe(100);
  });

  it('keeps a single slot larger than the share (the answer must stay for its retries), and forgets removed slots', () => {
    const shares = new OwnerShares(100);
    expect(shares.add('o', 'big', 500)).toEqual([]);
    shares.remove('o', 'big');
    shares.remove('o', 'big');
    expect(shares.bytesOf('o')).toBe(0);
  });
});
