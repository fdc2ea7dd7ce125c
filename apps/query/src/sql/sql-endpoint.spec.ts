import { tooManyRequests } from '@runstream/http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressNative, decompressNative } from './clickhouse-compression';
import { QueryGate } from '../overload/query-gate';
import { SqlAuthenticator } from './sql-authenticator';
import { SqlEndpoint } from './sql-endpoint';
import { SqlEngine, SqlQuery, SqlResult } from './sql-engine';
import { accessDenied } from './sql-error';

/** An engine that answers from a function: the endpoint's HTTP behaviour without ClickHouse. */
class FakeEngine extends SqlEngine {
  readonly seen: SqlQuery[] = [];
  constructor(private readonly answer: (query: SqlQuery) => Promise<SqlResult>) {
    super();
  }
  readonly publicDatabase = 'runstream';
  readonly views = ['runs_current', 'run_daily_stats'];
  databaseNames(orgId: string): string[] {
    return [`bi_${orgId}`, 'runstream', 'default'];
  }
  run(_orgId: string, query: SqlQuery): Promise<SqlResult> {
    this.seen.push(query);
    return this.answer(query);
  }
}

const authenticator = {
  organisationOf: async ({ token }: { token: string }) => (token === 'good' ? 'acme' : Promise.reject(accessDenied('nope'))),
} as unknown as SqlAuthenticator;
const gate = new QueryGate({ maxConcurrent: 2, maxQueued: 2, maxQueueWaitMs: 1_000 });
const ok = async (query: SqlQuery): Promise<SqlResult> => ({ body: Buffer.from('1\n'.repeat(100)), format: query.defaultFormat, summary: { read_rows: '1' } });
const basic = { authorization: `Basic ${Buffer.from('acme:good').toString('base64')}` };

describe('SqlEndpoint', () => {
  it('answers with the X-ClickHouse headers, the default format from default_format or X-ClickHouse-Format', async () => {
    const engine = new FakeEngine(ok);
    const endpoint = new SqlEndpoint(engine, authenticator, gate);
    const response = await endpoint.handle({
      ip: '127.0.0.1',
      method: 'POST',
      url: '/?default_format=CSVWithNames&query_id=q1&param_p=x',
      headers: basic,
      body: Buffer.from('SELECT 1'),
    });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'x-clickhouse-format': 'CSVWithNames',
      'x-clickhouse-query-id': 'q1',
      'x-clickhouse-summary': '{"read_rows":"1"}',
      'content-type': expect.stringContaining('text/csv'),
    });
    expect(engine.seen[0]).toEqual({ sql: 'SELECT 1', params: { p: 'x' }, defaultFormat: 'CSVWithNames', queryId: 'q1' });
    await endpoint.handle({ ip: '127.0.0.1', method: 'GET', url: '/?query=SELECT%201', headers: { ...basic, 'x-clickhouse-format': 'JSON' } });
    expect(engine.seen[1].defaultFormat).toBe('JSON');
  });

  it('compresses when enable_http_compression=1 and the client accepts it, and reads a gzip body', async () => {
    const endpoint = new SqlEndpoint(new FakeEngine(ok), authenticator, gate);
    const { gzipSync } = await import('node:zlib');
    const response = await endpoint.handle({
      ip: '127.0.0.1',
      method: 'POST',
      url: '/?enable_http_compression=1',
      headers: { ...basic, 'accept-encoding': 'gzip, deflate', 'content-encoding': 'gzip' },
      body: gzipSync('SELECT 1'),
    });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(response.body).toString()).toBe('1\n'.repeat(100));
    const plain = await new SqlEndpoint(new FakeEngine(ok), authenticator, gate).handle({
      ip: '127.0.0.1',
      method: 'POST',
      url: '/',
      headers: { ...basic, 'accept-encoding': 'gzip' },
      body: Buffer.from('SELECT 1'),
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('answers in ClickHouse compressed blocks with compress=1 (headers unchanged, gzip around them if also asked) and reads decompress=1 bodies', async () => {
    const engine = new FakeEngine(ok);
    const endpoint = new SqlEndpoint(engine, authenticator, gate);
    const request = (url: string, body: Buffer, headers: Record<string, string> = {}) =>
      endpoint.handle({ ip: '127.0.0.1', method: 'POST', url, headers: { ...basic, ...headers }, body });
    const native = await request('/?compress=1&default_format=JSONEachRow', Buffer.from('SELECT 1'));
    expect(native.status).toBe(200);
    expect(native.headers['content-encoding']).toBeUndefined();
    expect(native.headers['content-type']).toContain('application/x-ndjson');
    expect(native.body[16]).toBe(0x82);
    expect((await decompressNative(native.body, 1 << 20)).toString()).toBe('1\n'.repeat(100));
    const both = await request('/?compress=1&enable_http_compression=1', Buffer.from('SELECT 1'), { 'accept-encoding': 'gzip' });
    expect(both.headers['content-encoding']).toBe('gzip');
    expect((await decompressNative(gunzipSync(both.body), 1 << 20)).toString()).toBe('1\n'.repeat(100));
    expect((await request('/?decompress=1', await compressNative(Buffer.from('SELECT 42')))).status).toBe(200);
    expect(engine.seen.at(-1)?.sql).toBe('SELECT 42');
    const gzipped = gzipSync(await compressNative(Buffer.from('SELECT 43')));
    expect((await request('/?decompress=1', gzipped, { 'content-encoding': 'gzip' })).status).toBe(200);
    expect(engine.seen.at(-1)?.sql).toBe('SELECT 43');
  });

  it('with compress=1 sends errors in blocks too, except 401/403 (refused credentials), which stay plain as ClickHouse sends them', async () => {
    const endpoint = new SqlEndpoint(new FakeEngine(ok), authenticator, gate);
    const corrupt = await compressNative(Buffer.from('SELECT 1'));
    corrupt[corrupt.length - 1] ^= 1;
    const refused = await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url: '/?compress=1&decompress=1', headers: basic, body: corrupt });
    expect(refused.status).toBe(400);
    expect(refused.headers['x-clickhouse-exception-code']).toBe('40');
    expect((await decompressNative(refused.body, 1 << 20)).toString()).toMatch(
      /^Code: 40\. DB::Exception: Checksum doesn't match.*\(CHECKSUM_DOESNT_MATCH\)\n$/,
    );
    const unauthenticated = await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url: '/?compress=1', headers: {}, body: Buffer.from('SELECT 1') });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.toString()).toMatch(/^Code: 516\./);
    const plain = await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url: '/?decompress=1', headers: basic, body: corrupt });
    expect(plain.body.toString()).toContain('(CHECKSUM_DOESNT_MATCH)');
  });

  it('refuses a body that inflates past the query limit, natively or with gzip: 413, not the memory', async () => {
    const endpoint = new SqlEndpoint(new FakeEngine(ok), authenticator, gate);
    const bomb = Buffer.concat([Buffer.from('SELECT 1 -- '), Buffer.alloc(3 << 20, 0x20)]);
    for (const [url, headers, body] of [
      ['/?decompress=1', {}, await compressNative(bomb)],
      ['/', { 'content-encoding': 'gzip' }, gzipSync(bomb)],
    ] as const) {
      expect(body.length).toBeLessThan(64 * 1024);
      const response = await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url, headers: { ...basic, ...headers }, body });
      expect(response).toMatchObject({ status: 413, headers: { 'x-clickhouse-exception-code': '229' } });
      expect(response.body.toString()).toContain('(QUERY_IS_TOO_LARGE)');
    }
  });

  it('checks credentials before it decodes a body: a stranger spends no CPU on gzip or block checksums', async () => {
    const endpoint = new SqlEndpoint(new FakeEngine(ok), authenticator, gate);
    const body = gzipSync(await compressNative(Buffer.from('SELECT 1')));
    const checked: string[] = [];
    const counting = {
      organisationOf: async (credentials: { token: string }, ip: string) => {
        checked.push(ip);
        return authenticator.organisationOf(credentials, ip);
      },
    } as unknown as SqlAuthenticator;
    const guarded = new SqlEndpoint(new FakeEngine(ok), counting, gate);
    // A body that cannot be decoded: with bad credentials the answer is 403, never the 400 decoding would give.
    const garbage = { 'content-encoding': 'gzip' };
    const refused = await guarded.handle({
      ip: '10.0.0.1',
      method: 'POST',
      url: '/?decompress=1&user=acme&password=bad',
      headers: garbage,
      body: Buffer.from('not gzip'),
    });
    expect(refused.status).toBe(403);
    expect(checked).toEqual(['10.0.0.1']);
    const accepted = await endpoint.handle({
      ip: '127.0.0.1',
      method: 'POST',
      url: '/?decompress=1&user=acme&password=good',
      headers: { 'content-encoding': 'gzip' },
      body,
    });
    expect(accepted.status).toBe(200);
  });

  it('answers every failure ClickHouse-style with a 4xx or a 503, never a 500', async () => {
    const engineError = Object.assign(new Error('Code: 47. DB::Exception: Unknown identifier x. (UNKNOWN_IDENTIFIER)'), {
      code: '47',
      type: 'UNKNOWN_IDENTIFIER',
    });
    const timeout = Object.assign(new Error('Code: 159. DB::Exception: Timeout exceeded. (TIMEOUT_EXCEEDED)'), { code: '159', type: 'TIMEOUT_EXCEEDED' });
    // chDB's own text: its hint names a base table, which the endpoint refuses.
    const unknownTable = new Error(
      "Query failed: Code: 60. DB::Exception: Unknown table expression identifier 'runs' in scope SELECT count() FROM runs. Maybe you meant runstream.runs?. (UNKNOWN_TABLE)",
    );
    const cases: [unknown, number, RegExp][] = [
      [engineError, 400, /^Code: 47\. DB::Exception: Unknown identifier x\. \(UNKNOWN_IDENTIFIER\)\n$/],
      [
        unknownTable,
        400,
        /^Code: 60\. DB::Exception: Unknown table expression identifier 'runs' in scope SELECT count\(\) FROM runs\. Query one of your views, without a database: runs_current, run_daily_stats \(docs\/bi\.md\)\. \(UNKNOWN_TABLE\)\n$/,
      ],
      [timeout, 503, /TIMEOUT_EXCEEDED/],
      [new TypeError('a bug'), 503, /UNKNOWN_EXCEPTION/],
    ];
    for (const [error, status, body] of cases) {
      const endpoint = new SqlEndpoint(new FakeEngine(() => Promise.reject(error)), authenticator, gate);
      const response = await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url: '/', headers: basic, body: Buffer.from('SELECT x') });
      expect(response.status).toBe(status);
      expect(response.body.toString()).toMatch(body);
      expect(response.headers['x-clickhouse-exception-code']).toMatch(/^\d+$/);
      if (status === 503) expect(response.headers['retry-after']).toMatch(/^\d+$/);
    }
    const endpoint = new SqlEndpoint(new FakeEngine(ok), authenticator, gate);
    expect((await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url: '/', headers: {}, body: Buffer.from('SELECT 1') })).status).toBe(401);
    expect(
      (await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url: '/', headers: { authorization: 'Bearer bad' }, body: Buffer.from('SELECT 1') })).status,
    ).toBe(403);
    const busy = new SqlEndpoint(new FakeEngine(() => Promise.reject(tooManyRequests('slow down', 7))), authenticator, gate);
    expect(await busy.handle({ ip: '127.0.0.1', method: 'POST', url: '/', headers: basic, body: Buffer.from('SELECT 1') })).toMatchObject({
      status: 429,
      headers: { 'retry-after': '7', 'x-clickhouse-exception-code': '201' },
    });
    expect((await endpoint.handle({ ip: '127.0.0.1', method: 'GET', url: '/', headers: {} })).body.toString()).toBe('Ok.\n');
    expect((await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url: '/?database=other', headers: basic, body: Buffer.from('SELECT 1') })).status).toBe(
      404,
    );
    expect(
      (await endpoint.handle({ ip: '127.0.0.1', method: 'POST', url: '/', headers: { ...basic, 'content-encoding': 'gzip' }, body: Buffer.from('not gzip') }))
        .status,
    ).toBe(400);
  });
});
