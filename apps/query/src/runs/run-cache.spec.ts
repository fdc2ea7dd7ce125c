import { RunRow, RunWrites } from '@runstream/clickhouse';
import { runRow } from '../../../../test/support/run-rows';
import { RunCache } from './run-cache';

const DB = 'db1';

function row(id: string, offset: number, org_id = 'org1'): RunRow {
  return runRow({ id, org_id, event_count: offset, kafka_offset: String(offset) });
}

/** A read whose answer the test hands over when it likes; counts the reads. */
function heldRead(answer: RunRow | undefined) {
  const held: ((row: RunRow | undefined) => void)[] = [];
  return {
    reads: () => held.length,
    read: () => new Promise<RunRow | undefined>((resolve) => held.push(resolve)),
    release: () => held.splice(0).forEach((resolve) => resolve(answer)),
  };
}

describe('RunCache', () => {
  let writes: RunWrites;
  let cache: RunCache;

  beforeEach(() => {
    writes = new RunWrites();
    cache = new RunCache(writes);
  });

  afterEach(() => cache.close());

  it('answers a second read of a run from memory', async () => {
    const read = jest.fn(async () => row('r1', 1));
    expect(await cache.get(DB, 'org1', 'r1', read)).toEqual(row('r1', 1));
    expect(await cache.get(DB, 'org1', 'r1', read)).toEqual(row('r1', 1));
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('reads the table again once a write of that run started, and keeps the new row after it settled', async () => {
    await cache.get(DB, 'org1', 'r1', async () => row('r1', 1));
    let finish!: () => void;
    const write = writes.around(DB, [row('r1', 2)], () => new Promise<void>((resolve) => (finish = resolve)));
    // Mid-write: the table answers, and what it answers is not kept.
    expect(await cache.get(DB, 'org1', 'r1', async () => row('r1', 2))).toEqual(row('r1', 2));
    finish();
    await write;
    const read = jest.fn(async () => row('r1', 2));
    expect(await cache.get(DB, 'org1', 'r1', read)).toEqual(row('r1', 2));
    expect(await cache.get(DB, 'org1', 'r1', read)).toEqual(row('r1', 2));
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('drops the run also when its write failed (it may have landed)', async () => {
    await cache.get(DB, 'org1', 'r1', async () => row('r1', 1));
    await expect(writes.around(DB, [row('r1', 2)], async () => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');
    expect(await cache.get(DB, 'org1', 'r1', async () => row('r1', 2))).toEqual(row('r1', 2));
  });

  it('does not keep a row read while a write of that run started or settled', async () => {
    const slow = heldRead(row('r1', 1));
    const answer = cache.get(DB, 'org1', 'r1', slow.read);
    await writes.around(DB, [row('r1', 2)], async () => undefined);
    slow.release();
    expect(await answer).toEqual(row('r1', 1));
    expect(await cache.get(DB, 'org1', 'r1', async () => row('r1', 2))).toEqual(row('r1', 2));
  });

  it('keeps a row read while other runs were written', async () => {
    const slow = heldRead(row('r1', 1));
    const answer = cache.get(DB, 'org1', 'r1', slow.read);
    await writes.around(DB, [row('r2', 5), row('r1', 5, 'org2')], async () => undefined);
    slow.release();
    await answer;
    const read = jest.fn(async () => row('r1', 1));
    expect(await cache.get(DB, 'org1', 'r1', read)).toEqual(row('r1', 1));
    expect(read).not.toHaveBeenCalled();
  });

  it('lets concurrent misses of a run share one read, but not across a write', async () => {
    const first = heldRead(row('r1', 1));
    const a = cache.get(DB, 'org1', 'r1', first.read);
    const b = cache.get(DB, 'org1', 'r1', first.read);
    expect(first.reads()).toBe(1);
    const write = writes.around(DB, [row('r1', 2)], async () => undefined);
    const second = heldRead(row('r1', 2));
    const c = cache.get(DB, 'org1', 'r1', second.read);
    expect(second.reads()).toBe(1);
    first.release();
    second.release();
    await write;
    expect(await a).toEqual(row('r1', 1));
    expect(await b).toEqual(row('r1', 1));
    expect(await c).toEqual(row('r1', 2));
  });

  it('never caches a missing run', async () => {
    const read = jest.fn(async (): Promise<RunRow | undefined> => undefined);
    expect(await cache.get(DB, 'org1', 'r1', read)).toBeUndefined();
    expect(await cache.get(DB, 'org1', 'r1', read)).toBeUndefined();
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keys by database and organisation: another tenant or database never gets the row', async () => {
    await cache.get(DB, 'org1', 'r1', async () => row('r1', 1));
    expect(await cache.get(DB, 'org2', 'r1', async () => undefined)).toBeUndefined();
    expect(await cache.get('db2', 'org1', 'r1', async () => undefined)).toBeUndefined();
    // A write of org2's r1 leaves org1's r1 cached.
    await writes.around(DB, [row('r1', 9, 'org2')], async () => undefined);
    const read = jest.fn(async () => row('r1', 1));
    await cache.get(DB, 'org1', 'r1', read);
    expect(read).not.toHaveBeenCalled();
  });

  it('hands out rows nobody can change', async () => {
    const cached = await cache.get(DB, 'org1', 'r1', async () => row('r1', 1));
    expect(Object.isFrozen(cached)).toBe(true);
  });

  it('stays within its byte budget, dropping the least recently used runs', async () => {
    const small = new RunCache(writes, 4_000);
    const big = (id: string) => ({ ...row(id, 1), telemetry_summary: 'x'.repeat(1_000) });
    for (const id of ['a', 'b', 'c', 'd']) await small.get(DB, 'org1', id, async () => big(id));
    expect(small.size).toBeLessThan(4);
    const read = jest.fn(async () => big('d'));
    await small.get(DB, 'org1', 'd', read);
    expect(read).not.toHaveBeenCalled();
    small.close();
  });

  it('stops listening when closed', () => {
    const listening = writes.listening;
    const other = new RunCache(writes);
    expect(writes.listening).toBe(listening + 1);
    other.close();
    expect(writes.listening).toBe(listening);
  });
});
