import { BI_VIEWS, biPasswordFor, biUserFor, SERVER_EXCLUDED_VIEWS } from '@runstream/clickhouse';
import { SqlError, parseEngineError } from './sql-error';
import { SqlEngine, SqlQuery, SqlResult } from './sql-engine';
import { outputFormat } from './sql-formats';

export interface ServerSqlOptions {
  /** CLICKHOUSE_URL. */
  url: string;
  database: string;
  /** QUERY_SQL_SERVER_KEY: derives each organisation's BI user password (scripts/bi.ts uses the same). */
  key?: string;
  timeoutMs: number;
}

/**
 * The SQL endpoint in front of a ClickHouse server: the caller's query is forwarded as its
 * organisation's BI user (created by `npm run bi -- grant --org <id>`), whose readonly profile,
 * grants and row policies the server enforces. Nothing here rewrites or filters the SQL.
 */
export class ServerSqlEngine extends SqlEngine {
  constructor(private readonly options: ServerSqlOptions) {
    super();
  }

  get publicDatabase(): string {
    return this.options.database;
  }

  readonly views = Object.keys(BI_VIEWS).filter((view) => !SERVER_EXCLUDED_VIEWS.has(view));

  databaseNames(): string[] {
    return [this.options.database, 'default'];
  }

  /** The request the server receives (unit-tested: no server runs in this repository's tests). */
  requestFor(orgId: string, query: SqlQuery): { url: string; init: RequestInit } {
    if (!this.options.key) throw new SqlError(503, 0, 'NOT_CONFIGURED', 'BI access to the ClickHouse server is not configured (QUERY_SQL_SERVER_KEY)', 60);
    const url = new URL(this.options.url);
    // The apps' own credentials (in CLICKHOUSE_URL) must never carry a caller's query.
    url.username = '';
    url.password = '';
    url.pathname = '/';
    url.search = '';
    url.searchParams.set('database', this.options.database);
    url.searchParams.set('query_id', query.queryId);
    url.searchParams.set('default_format', outputFormat(query.defaultFormat));
    for (const [name, value] of Object.entries(query.params)) url.searchParams.set(`param_${name}`, value);
    const credentials = Buffer.from(`${biUserFor(orgId)}:${biPasswordFor(orgId, this.options.key)}`).toString('base64');
    return {
      url: url.toString(),
      init: { method: 'POST', body: query.sql, headers: { authorization: `Basic ${credentials}` }, signal: AbortSignal.timeout(this.options.timeoutMs) },
    };
  }

  async run(orgId: string, query: SqlQuery): Promise<SqlResult> {
    const { url, init } = this.requestFor(orgId, query);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new SqlError(503, 210, 'NETWORK_ERROR', 'ClickHouse is unreachable; retry shortly', 5);
    }
    const body = Buffer.from(await response.arrayBuffer());
    if (!response.ok) throw serverError(response.status, body.toString('utf8'), orgId);
    const format = response.headers.get('x-clickhouse-format') ?? query.defaultFormat;
    const summary = JSON.parse(response.headers.get('x-clickhouse-summary') ?? '{}') as Record<string, string>;
    return { body, format, summary };
  }
}

/** The server's own error, passed on: refusals 403, overloads 503, anything else about the query 400 (ClickHouse answers many of those 500). */
function serverError(status: number, text: string, orgId: string): SqlError {
  const parsed = parseEngineError(new Error(text));
  const code = parsed?.code ?? 0;
  // The caller's token was valid; the server refusing the organisation's own user is a missing grant.
  if (code === 516 || status === 401) {
    return new SqlError(
      403,
      497,
      'ACCESS_DENIED',
      `BI access is not granted to organisation ${orgId} on the ClickHouse server (an operator runs npm run bi -- grant --org ${orgId}, with the query app's QUERY_SQL_SERVER_KEY)`,
    );
  }
  if ([159, 160, 241, 202, 394].includes(code)) return new SqlError(503, code, parsed?.codeName ?? 'UNKNOWN', parsed?.message ?? text, 5);
  if (status === 403 || code === 497 || code === 164) return new SqlError(403, code, parsed?.codeName ?? 'ACCESS_DENIED', parsed?.message ?? text);
  return new SqlError(status >= 500 ? 400 : status, code, parsed?.codeName ?? 'UNKNOWN', parsed?.message ?? text);
}
