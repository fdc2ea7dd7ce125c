import { randomUUID } from 'node:crypto';
import { badRequest, readonlyRefused } from './sql-error';

/** The largest query body, as sent and as decompressed (ClickHouse's own default max_query_size is 256 KiB). */
export const MAX_QUERY_BYTES = 1024 * 1024;

/** A query as the ClickHouse HTTP interface receives it, reduced to what the endpoint honours. */
export interface SqlRequest {
  sql: string;
  /** `param_<name>` values, bound by the engine. */
  params: Record<string, string>;
  /** `database` as sent (checked against the caller's later). */
  database?: string;
  /** `default_format`: the output format when the query has no FORMAT clause. */
  defaultFormat?: string;
  queryId: string;
  /** enable_http_compression=1: the answer may be compressed as Accept-Encoding allows. */
  httpCompression: boolean;
}

/** URL user/password (ClickHouse accepts credentials there too), the last of each as sent; read before the body is. */
export function urlCredentials(url: URLSearchParams): { user?: string; password?: string } {
  return { user: url.getAll('user').at(-1), password: url.getAll('password').at(-1) };
}

/**
 * URL parameters clients send that change nothing a caller could use against the limits:
 * transport and session bookkeeping. Every other name is a setting, and settings are fixed
 * (readonly), as a readonly ClickHouse user would be told.
 */
const TRANSPORT_PARAMETERS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'user',
  'password',
  'enable_http_compression',
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_response_buffer_size',
  'buffer_size',
  'cancel_http_readonly_queries_on_client_close',
  'session_id',
  'session_timeout',
  'session_check',
  'add_http_cors_header',
  'client_protocol_version',
  'compress',
  'decompress',
  'http_wait_end_of_query',
  'output_format_json_quote_64bit_integers',
]);

/** Settings a client may send as long as they ask for no more than the server already enforces. */
const ACCEPTED_VALUES: Record<string, readonly string[]> = { readonly: ['1', '2'], extremes: ['0'] };

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUERY_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** `compress` / `decompress` as ClickHouse reads them (a bool setting): absent is off. */
function flag(url: URLSearchParams, name: string): boolean {
  const value = url.get(name);
  if (value === null || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw badRequest(`${name} must be 0 or 1, not ${JSON.stringify(value)}`);
}

/**
 * ClickHouse's own block compression (clickhouse-compression.ts), read before anything else: the
 * body must be decoded before it is parsed, and an error answer is compressed too.
 * `answer`: compress=1, the answer in compressed blocks. `body`: decompress=1, the body arrives in them.
 */
export function nativeCompressionOf(url: URLSearchParams): { answer: boolean; body: boolean } {
  return { answer: flag(url, 'compress'), body: flag(url, 'decompress') };
}

/**
 * GET /?query=… or POST / (the query is the URL's `query`, then a space, then the body, as
 * ClickHouse concatenates them). Anything that would change a setting is refused here, 403.
 */
export function parseSqlRequest(method: string, url: URLSearchParams, body: Buffer | undefined): SqlRequest {
  const params: Record<string, string> = {};
  const request: SqlRequest = { sql: '', params, queryId: randomUUID(), httpCompression: false };
  for (const [name, value] of url) {
    if (name.startsWith('param_')) {
      const param = name.slice('param_'.length);
      if (!PARAM_NAME.test(param)) throw badRequest(`query parameter name ${JSON.stringify(param)} is not an identifier`);
      params[param] = value;
    } else if (name === 'database') request.database = value;
    else if (name === 'default_format') request.defaultFormat = value;
    else if (name === 'query_id') {
      if (!QUERY_ID.test(value)) throw badRequest('query_id must be 1-128 characters of A-Z a-z 0-9 _ . : -');
      request.queryId = value;
    } else if (name === 'enable_http_compression') request.httpCompression = value === '1' || value === 'true';
    else if (ACCEPTED_VALUES[name]) {
      if (!ACCEPTED_VALUES[name].includes(value)) throw readonlyRefused(`Cannot modify '${name}' setting in readonly mode`);
    } else if (!TRANSPORT_PARAMETERS.has(name)) throw readonlyRefused(`Cannot modify '${name}' setting in readonly mode`);
  }
  const fromUrl = url.get('query') ?? '';
  const fromBody = method === 'POST' && body ? body.toString('utf8') : '';
  request.sql = [fromUrl, fromBody].filter((part) => part.length > 0).join(' ');
  if (request.sql.trim() === '') throw badRequest('Empty query: send it in the body (POST) or as ?query= (GET)');
  return request;
}
