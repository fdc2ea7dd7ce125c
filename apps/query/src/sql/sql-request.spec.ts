import { credentialsOf } from './sql-credentials';
import { nativeCompressionOf, parseSqlRequest } from './sql-request';

const url = (query: string) => new URLSearchParams(query);

describe('parseSqlRequest', () => {
  it('joins the URL query and the POST body, as ClickHouse does, and takes params, database and format', () => {
    const request = parseSqlRequest(
      'POST',
      url('query=SELECT&database=runstream&param_p=proj%27x&default_format=JSON&query_id=q-1&enable_http_compression=1'),
      Buffer.from('1 AS one'),
    );
    expect(request).toMatchObject({
      sql: 'SELECT 1 AS one',
      params: { p: "proj'x" },
      database: 'runstream',
      defaultFormat: 'JSON',
      queryId: 'q-1',
      httpCompression: true,
    });
  });

  it('ignores a GET body and needs a query', () => {
    expect(parseSqlRequest('GET', url('query=SELECT%201'), Buffer.from('junk')).sql).toBe('SELECT 1');
    expect(() => parseSqlRequest('POST', url(''), Buffer.from('  '))).toThrow(/Empty query/);
  });

  it('accepts transport parameters and settings that ask for no more than is enforced', () => {
    expect(() =>
      parseSqlRequest(
        'POST',
        url('wait_end_of_query=1&session_id=x&readonly=1&compress=0&extremes=0&send_progress_in_http_headers=1'),
        Buffer.from('SELECT 1'),
      ),
    ).not.toThrow();
  });

  it.each(['readonly=0', 'max_result_rows=0', 'max_execution_time=0', 'max_memory_usage=0', 'additional_table_filters=x', 'allow_ddl=1', 'role=admin'])(
    'refuses the setting %s as a readonly server would (403 READONLY)',
    (setting) => {
      expect(() => parseSqlRequest('POST', url(setting), Buffer.from('SELECT 1'))).toThrow(expect.objectContaining({ status: 403, codeName: 'READONLY' }));
    },
  );

  it('reads compress / decompress (ClickHouse block compression of the answer / the body) as 0/1 flags, and nothing else', () => {
    expect(nativeCompressionOf(url(''))).toEqual({ answer: false, body: false });
    expect(nativeCompressionOf(url('compress=1'))).toEqual({ answer: true, body: false });
    expect(nativeCompressionOf(url('compress=0&decompress=true'))).toEqual({ answer: false, body: true });
    expect(() => nativeCompressionOf(url('compress=yes'))).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('compress') }));
    expect(() => parseSqlRequest('POST', url('compress=1&decompress=1'), Buffer.from('SELECT 1'))).not.toThrow();
  });

  it('refuses malformed parameter names and query ids', () => {
    expect(() => parseSqlRequest('POST', url('param_a%20b=1'), Buffer.from('SELECT 1'))).toThrow(/not an identifier/);
    expect(() => parseSqlRequest('POST', url('query_id=a%0Ab'), Buffer.from('SELECT 1'))).toThrow(/query_id/);
  });
});

describe('credentialsOf', () => {
  const basic = (value: string) => ({ authorization: `Basic ${Buffer.from(value).toString('base64')}` });

  it('reads Basic (organisation:token, the token may hold colons), Bearer, X-ClickHouse-* headers and URL credentials', () => {
    expect(credentialsOf(basic('acme:rst_a:b'), {})).toEqual({ user: 'acme', token: 'rst_a:b' });
    expect(credentialsOf({ authorization: 'Bearer rst_x' }, {})).toEqual({ token: 'rst_x' });
    expect(credentialsOf({ 'x-clickhouse-user': 'acme', 'x-clickhouse-key': 'rst_y' }, {})).toEqual({ user: 'acme', token: 'rst_y' });
    expect(credentialsOf({}, { user: 'acme', password: 'rst_z' })).toEqual({ user: 'acme', token: 'rst_z' });
  });

  it('answers 401 without credentials or with malformed Basic', () => {
    expect(() => credentialsOf({}, {})).toThrow(expect.objectContaining({ status: 401, codeName: 'AUTHENTICATION_FAILED' }));
    expect(() => credentialsOf(basic('no-colon'), {})).toThrow(expect.objectContaining({ status: 401 }));
  });
});
