import { biPasswordFor, biUserFor } from '@runstream/clickhouse';
import { ServerSqlEngine } from './server-sql.engine';

describe('ServerSqlEngine (no server runs here: the request it would send)', () => {
  const key = 'a-key-of-16-chars!';
  const engine = new ServerSqlEngine({ url: 'http://app:secret@clickhouse:8123/ignored?x=1', database: 'runstream', key, timeoutMs: 15_000 });
  const query = { sql: 'SELECT count() FROM runs_current WHERE project_id = {p:String}', params: { p: 'proj' }, defaultFormat: 'CSVWithNames', queryId: 'q-1' };

  it("forwards the caller's query unchanged, as the organisation's BI user, never as the apps' user", () => {
    const { url, init } = engine.requestFor('acme', query);
    const parsed = new URL(url);
    expect([parsed.username, parsed.password, parsed.pathname]).toEqual(['', '', '/']);
    expect(Object.fromEntries(parsed.searchParams)).toEqual({ database: 'runstream', query_id: 'q-1', default_format: 'CSVWithNames', param_p: 'proj' });
    expect(init.body).toBe(query.sql);
    const auth = (init.headers as Record<string, string>).authorization;
    expect(Buffer.from(auth.replace('Basic ', ''), 'base64').toString()).toBe(`${biUserFor('acme')}:${biPasswordFor('acme', key)}`);
  });

  it('answers 503 when the key is not configured', () => {
    const unconfigured = new ServerSqlEngine({ url: 'http://clickhouse:8123', database: 'runstream', timeoutMs: 1_000 });
    expect(() => unconfigured.requestFor('acme', query)).toThrow(expect.objectContaining({ status: 503 }));
  });
});
