import { ExecutionVersion, latestExecutionsPage, newestExecutionFirst } from './execution-page';

type Row = ExecutionVersion & { status: string };

const at = (second: number) => `2026-11-26 10:00:${String(second).padStart(2, '0')}.000`;
const row = (id: string, created: number, started: number, version: number, status = 'success'): Row => ({
  model_name: 'm',
  id,
  created_at: at(created),
  started_at: at(started),
  version: String(version),
  status,
});

/** What FINAL answers: each execution's highest version, in page order. */
function reference(rows: readonly Row[], offset: number, limit: number): Row[] {
  const latest = new Map<string, Row>();
  for (const r of rows) {
    const key = `${r.model_name}\u0000${r.id}`;
    const seen = latest.get(key);
    if (!seen || BigInt(r.version) > BigInt(seen.version)) latest.set(key, r);
  }
  return [...latest.values()].sort(newestExecutionFirst).slice(offset, offset + limit);
}

/** A deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('latestExecutionsPage (a page from row versions read without FINAL)', () => {
  it('keeps only the highest version of each execution, ordered by created_at, started_at, id', () => {
    const rows = [row('b', 9, 5, 2), row('a', 9, 7, 1), row('b', 9, 6, 11), row('c', 8, 8, 3)];
    const page = latestExecutionsPage(rows, 'all', { offset: 0, limit: 10 });
    expect(page?.map((r) => [r.id, r.version])).toEqual([
      ['a', '1'],
      ['b', '11'],
      ['c', '3'],
    ]);
  });

  it('breaks ties on id by UTF-8 bytes, as ClickHouse orders String', () => {
    // U+FF5E sorts before U+1F600 in UTF-8 and after it in UTF-16.
    const page = latestExecutionsPage([row('\uFF5E', 1, 1, 1), row('\u{1F600}', 1, 1, 2)], 'all', { offset: 0, limit: 2 });
    expect(page?.map((r) => r.id)).toEqual(['\u{1F600}', '\uFF5E']);
  });

  it('compares versions as numbers, not text', () => {
    const page = latestExecutionsPage([row('a', 1, 1, 9), row('a', 1, 1, 10)], 'all', { offset: 0, limit: 1 });
    expect(page?.[0].version).toBe('10');
  });

  it('sets aside the last run of equal created_at when the read was cut, since it may miss a version', () => {
    // The read stopped inside created_at 8: execution c's newer version may be just past it.
    const cutRead = [row('a', 9, 9, 1), row('b', 9, 9, 2), row('c', 8, 8, 3)];
    expect(latestExecutionsPage(cutRead, 'cut', { offset: 0, limit: 2 })?.map((r) => r.id)).toEqual(['b', 'a']);
    expect(latestExecutionsPage(cutRead, 'cut', { offset: 0, limit: 3 })).toBeUndefined();
    expect(latestExecutionsPage(cutRead, 'all', { offset: 0, limit: 3 })?.map((r) => r.id)).toEqual(['b', 'a', 'c']);
  });

  it('asks for more when every version read shares one created_at', () => {
    expect(latestExecutionsPage([row('a', 5, 5, 1), row('b', 5, 5, 2)], 'cut', { offset: 0, limit: 1 })).toBeUndefined();
  });

  it('asks for more when a window holds fewer executions than the page ends at', () => {
    expect(latestExecutionsPage([row('a', 5, 5, 1)], 'window', { offset: 0, limit: 2 })).toBeUndefined();
    expect(latestExecutionsPage([row('a', 5, 5, 1), row('b', 4, 4, 1)], 'window', { offset: 0, limit: 2 })?.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('answers an empty page past the end, and nothing read as exhausted', () => {
    expect(latestExecutionsPage([row('a', 5, 5, 1)], 'all', { offset: 1, limit: 10 })).toEqual([]);
    expect(latestExecutionsPage([], 'all', { offset: 0, limit: 10 })).toEqual([]);
  });

  it('agrees with FINAL on every prefix of a shuffled read, whenever it answers', () => {
    const draw = random(20261126);
    for (let trial = 0; trial < 200; trial += 1) {
      const rows: Row[] = [];
      const executions = 1 + Math.floor(draw() * 40);
      let version = 1;
      for (let e = 0; e < executions; e += 1) {
        const created = Math.floor(draw() * 12);
        for (let v = 0, versions = 1 + Math.floor(draw() * 3); v < versions; v += 1) {
          rows.push(row(`exec_${e}`, created, Math.floor(draw() * 60), (version += 1 + Math.floor(draw() * 3)), v === 0 ? 'running' : 'success'));
        }
      }
      // The engine returns versions by created_at, newest first, in any order within one created_at.
      const read = rows
        .map((r) => ({ r, shuffle: draw() }))
        .sort((a, b) => (a.r.created_at === b.r.created_at ? a.shuffle - b.shuffle : a.r.created_at < b.r.created_at ? 1 : -1))
        .map(({ r }) => r);
      const offset = Math.floor(draw() * 10);
      const limit = 1 + Math.floor(draw() * 10);
      for (let scanned = 1; scanned <= read.length; scanned += 1) {
        const page = latestExecutionsPage(read.slice(0, scanned), scanned === read.length ? 'all' : 'cut', { offset, limit });
        if (page !== undefined) expect(page).toEqual(reference(rows, offset, limit));
      }
      expect(latestExecutionsPage(read, 'all', { offset, limit })).toEqual(reference(rows, offset, limit));
      // A window: every version from some created_at on, none older.
      const from = read[Math.floor(draw() * read.length)].created_at;
      const windowed = latestExecutionsPage(
        read.filter((r) => r.created_at >= from),
        'window',
        { offset, limit },
      );
      if (windowed !== undefined) expect(windowed).toEqual(reference(rows, offset, limit));
    }
  });
});
