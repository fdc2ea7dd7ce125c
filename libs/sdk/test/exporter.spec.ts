import { GoneError, Runstream } from '../src';
import { testServer } from './test-server';

const change = (id: string) => ({ type: 'run', run: { id, status: 'success' }, log_position: `0:${id}` });

describe('SDK exporter', () => {
  /** A feed of 5 changes, 2 per page; the cursor is the index of the next change; "stale" is gone. */
  async function feed() {
    return testServer((request) => {
      const url = new URL(request.url, 'http://x');
      const cursor = url.searchParams.get('cursor');
      if (cursor === 'stale') return { status: 410, body: { statusCode: 410, code: 'CURSOR_EXPIRED', message: 'restart' } };
      const from = Number(cursor ?? 0);
      const ids = ['a', 'b', 'c', 'd', 'e'].slice(from, from + 2);
      return { status: 200, body: { changes: ids.map(change), next_cursor: String(from + ids.length), has_more: from + ids.length < 5 } };
    });
  }

  it('yields every page to the end of the feed, with the cursor to store after each', async () => {
    const server = await feed();
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok' });
      const pages = [];
      for await (const page of client.changes({ projectId: 'proj', limit: 2 })) pages.push(page);
      expect(pages.map((p) => [p.changes.map((c) => (c.type === 'run' ? c.run.id : '')), p.cursor])).toEqual([
        [['a', 'b'], '2'],
        [['c', 'd'], '4'],
        [['e'], '5'],
      ]);
      expect(server.requests[0].url).toBe('/api/v1/projects/proj/changes?limit=2');
    } finally {
      await server.close();
    }
  });

  it('resumes from a stored cursor, on the organisation feed without a project', async () => {
    const server = await feed();
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok' });
      const seen: string[] = [];
      for await (const page of client.changes({ cursor: '3' })) seen.push(...page.changes.map((c) => (c.type === 'run' ? c.run.id : '')));
      expect(seen).toEqual(['d', 'e']);
      expect(server.requests[0].url).toBe('/api/v1/changes?limit=500&cursor=3');
    } finally {
      await server.close();
    }
  });

  it('throws GoneError for a cursor the server cannot honour', async () => {
    const server = await feed();
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok' });
      const iterator = client.changes({ cursor: 'stale' });
      await expect(iterator.next()).rejects.toBeInstanceOf(GoneError);
    } finally {
      await server.close();
    }
  });

  it('following, waits out more 503s than maxAttempts (a restart), and ends without an error when its signal aborts', async () => {
    let unavailable = 8;
    const server = await testServer((request) => {
      const cursor = new URL(request.url, 'http://x').searchParams.get('cursor');
      if (cursor === null && unavailable-- > 0) return { status: 503, body: { message: 'restarting' }, headers: { 'retry-after': '0' } };
      return cursor === null
        ? { status: 200, body: { changes: [change('a')], next_cursor: '1', has_more: false } }
        : { status: 503, body: {}, headers: { 'retry-after': '30' } };
    });
    try {
      const controller = new AbortController();
      const client = new Runstream({ queryUrl: server.url, token: 'tok', maxAttempts: 3 });
      const pages = [];
      for await (const page of client.changes({ projectId: 'proj', follow: true, pollIntervalMs: 10, signal: controller.signal })) {
        pages.push(page);
        // The next request meets a 503 asking for 30 s: the abort must end that wait, and the iterator quietly.
        setTimeout(() => controller.abort(), 100);
      }
      expect(pages.map((p) => p.cursor)).toEqual(['1']);
      expect(server.requests.length).toBeGreaterThanOrEqual(10);
    } finally {
      await server.close();
    }
  });
});
