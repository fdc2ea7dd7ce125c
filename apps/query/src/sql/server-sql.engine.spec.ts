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

describe('ServerSqlEngine answers', () => {
  const serve = async (status: number, text: string) => {
    const engine = new ServerSqlEngine({ url: 'http://127.0.0.1:1', database: 'runstream', key: 'a-key-of-16-chars!', timeoutMs: 1_000 });
    const original = global.fetch;
    global.fetch = (async () =>
      new Response(text, { status, headers: { 'x-clickhouse-format': 'CSV', 'x-clickhouse-summary': '{"read_rows":"3"}' } })) as typeof fetch;
    try {
      return await engine.run('acme', { sql: 'SELECT 1', params: {}, defaultFormat: 'CSV', queryId: 'q' });
    } catch (error) {
      return error;
    } finally {
      global.fetch = original;
    }
  };

  it('passes a result on with its format and summary', async () => {
    expect(await serve(200, '1\n')).toEqual({ body: Buffer.from('1\n'), format: 'CSV', summary: { read_rows: '3' } });
  });

  it.each([
    [401, 'Code: 516. DB::Exception: bi_acme: Authentication failed. (AUTHENTICATION_FAILED)', 403, /npm run bi -- grant --org acme/],
    [500, 'Code: 497. DB::Exception: bi_acme: Not enough privileges. (ACCESS_DENIED)', 403, /Not enough privileges/],
    [500, 'Code: 164. DB::Exception: Cannot modify setting in readonly mode. (READONLY)', 403, /readonly/],
    [500, 'Code: 159. DB::Exception: Timeout exceeded. (TIMEOUT_EXCEEDED)', 503, /Timeout/],
    [404, 'Code: 60. DB::Exception: Unknown table. (UNKNOWN_TABLE)', 404, /Unknown table/],
    [500, 'Code: 47. DB::Exception: Unknown identifier. (UNKNOWN_IDENTIFIER)', 400, /Unknown identifier/],
  ])("maps the server's %s %s to %s", async (status, text, expected, message) => {
    expect(await serve(status, text)).toMatchObject({ status: expected, message: expect.stringMatching(message) });
  });
});
