import { biGate } from './sql.module';

describe('biGate', () => {
  const gate = { maxConcurrent: 4, maxQueued: 64, maxQueueWaitMs: 5_000 };

  it('on embedded chDB takes at most half the query app sessions, at least one, so the read API keeps the rest', () => {
    expect(biGate({ clickhouse: { path: '', database: 'd', querySettings: {} }, gate })).toEqual({ ...gate, maxConcurrent: 2 });
    expect(biGate({ clickhouse: { path: '', database: 'd', sessions: 8, querySettings: {} }, gate })).toEqual(gate);
    expect(biGate({ clickhouse: { path: '', database: 'd', sessions: 1, querySettings: {} }, gate })).toEqual({ ...gate, maxConcurrent: 1 });
  });

  it('on a ClickHouse server keeps the read API bounds: no shared sessions there', () => {
    expect(biGate({ clickhouse: { url: 'http://ch:8123', path: '', database: 'd', querySettings: {} }, gate })).toEqual(gate);
  });
});
