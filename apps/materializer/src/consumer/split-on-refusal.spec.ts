import { writeSplittingOnRefusal } from './split-on-refusal';

class Refused extends Error {}

/** A store that refuses any write holding a poison item, and records what it accepted. */
function store(poison: Set<number>, transientOnCall?: number) {
  const written: number[][] = [];
  let calls = 0;
  const write = async (range: number[]) => {
    calls += 1;
    if (calls === transientOnCall) throw new Error('ECONNRESET');
    if (range.some((item) => poison.has(item))) throw new Refused(`refused ${range.join(',')}`);
    written.push(range);
  };
  return { write, written, calls: () => calls };
}

describe('writeSplittingOnRefusal', () => {
  const isRefusal = (error: unknown) => error instanceof Refused;

  it.each([
    ['one poison item in the middle', 100, [41]],
    ['poison at both ends', 64, [0, 63]],
    ['neighbouring poison', 33, [10, 11, 12]],
    ['every item poison', 5, [0, 1, 2, 3, 4]],
    ['no poison', 10, []],
  ])('with %s, writes every good item once, in order, and refuses exactly the poison', async (_name, size, poisonList) => {
    const items = Array.from({ length: size }, (_, i) => i);
    const poison = new Set(poisonList);
    const { write, written } = store(poison);
    const refused: number[] = [];
    await writeSplittingOnRefusal(items, write, async (item) => void refused.push(item), isRefusal);
    expect(written.flat()).toEqual(items.filter((item) => !poison.has(item)));
    expect(refused).toEqual(poisonList);
  });

  it('isolates one poison item among n in about 2·log2(n) extra writes', async () => {
    const { write, calls } = store(new Set([777]));
    await writeSplittingOnRefusal(
      Array.from({ length: 1024 }, (_, i) => i),
      write,
      async () => undefined,
      isRefusal,
    );
    expect(calls()).toBeLessThanOrEqual(1 + 2 * Math.log2(1024));
  });

  it('lets any other error through without refusing anything', async () => {
    const { write } = store(new Set([3]), 2);
    const refused: number[] = [];
    await expect(writeSplittingOnRefusal([1, 2, 3, 4], write, async (item) => void refused.push(item), isRefusal)).rejects.toThrow('ECONNRESET');
    expect(refused).toEqual([]);
  });

  it('propagates a failure to record the refused item', async () => {
    const { write } = store(new Set([1]));
    await expect(writeSplittingOnRefusal([1], write, async () => Promise.reject(new Error('dead-letter topic unavailable')), isRefusal)).rejects.toThrow(
      'dead-letter topic unavailable',
    );
  });
});
