import { HttpException, Injectable, Logger } from '@nestjs/common';
import { RetryLaterException } from '@runstream/http';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, deflate, gunzip, gzip, inflate } from 'node:zlib';
import { classifyClickHouseFailure } from '../overload/clickhouse-failure';
import { QueryGate } from '../overload/query-gate';
import { SqlAuthenticator } from './sql-authenticator';
import { credentialsOf } from './sql-credentials';
import { SqlEngine } from './sql-engine';
import { badRequest, parseEngineError, SqlError } from './sql-error';
import { contentTypeOf } from './sql-formats';
import { parseSqlRequest } from './sql-request';

export interface SqlHttpRequest {
  method: string;
  /** Client IP, for the failed-authentication budget. */
  ip: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

export interface SqlHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Codec = (input: Buffer) => Promise<Buffer>;
const ENCODERS: Record<string, Codec> = { gzip: promisify(gzip), deflate: promisify(deflate), br: promisify(brotliCompress) };
const DECODERS: Record<string, Codec> = { gzip: promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) };

function header(headers: SqlHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * One request of the ClickHouse HTTP interface: credentials to organisation, the query to its
 * engine (chDB or the server) under the read API's concurrency gate, the answer with the
 * headers ClickHouse clients read, compressed as negotiated. Every failure is a ClickHouse-style
 * error with a 4xx or 503, never a 500 (docs/bi.md).
 */
@Injectable()
export class SqlEndpoint {
  private readonly logger = new Logger('SqlEndpoint');

  constructor(
    private readonly engine: SqlEngine,
    private readonly authenticator: SqlAuthenticator,
    private readonly gate: QueryGate,
  ) {}

  async handle(request: SqlHttpRequest): Promise<SqlHttpResponse> {
    const url = new URL(request.url, 'http://localhost').searchParams;
    // ClickHouse answers a bare GET / like /ping; clients use it as a health check.
    if (request.method === 'GET' && !url.has('query'))
      return { status: 200, headers: { 'content-type': 'text/plain; charset=UTF-8' }, body: Buffer.from('Ok.\n') };
    let queryId = '';
    try {
      const body = await decoded(request);
      const parsed = parseSqlRequest(request.method, url, body);
      queryId = parsed.queryId;
      const orgId = await this.authenticator.organisationOf(credentialsOf(request.headers, parsed), request.ip);
      if (parsed.database !== undefined && parsed.database !== '' && !this.engine.databaseNames(orgId).includes(parsed.database)) {
        throw new SqlError(
          404,
          81,
          'UNKNOWN_DATABASE',
          `the database named by database= is not one of this organisation's; use ${this.engine.publicDatabase} or leave it out`,
        );
      }
      const defaultFormat = parsed.defaultFormat ?? header(request.headers, 'x-clickhouse-format') ?? 'TabSeparated';
      const result = await this.gate.run(() => this.engine.run(orgId, { sql: parsed.sql, params: parsed.params, defaultFormat, queryId }));
      const headers: Record<string, string> = {
        'content-type': contentTypeOf(result.format),
        'x-clickhouse-format': result.format,
        'x-clickhouse-query-id': queryId,
        'x-clickhouse-summary': JSON.stringify(result.summary),
        'x-clickhouse-database': this.engine.databaseNames(orgId)[0],
        'x-clickhouse-timezone': 'UTC',
      };
      const encoding = parsed.httpCompression ? acceptedEncoding(header(request.headers, 'accept-encoding')) : undefined;
      if (!encoding) return { status: 200, headers, body: result.body };
      return { status: 200, headers: { ...headers, 'content-encoding': encoding }, body: await ENCODERS[encoding](result.body) };
    } catch (error) {
      return this.failure(error, queryId);
    }
  }

  private failure(error: unknown, queryId: string): SqlHttpResponse {
    const sqlError = this.asSqlError(error);
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-clickhouse-exception-code': String(sqlError.code),
      ...(queryId ? { 'x-clickhouse-query-id': queryId } : {}),
      ...(sqlError.status === 401 ? { 'www-authenticate': 'Basic realm="runstream BI (user = organisation, password = API token)"' } : {}),
      ...(sqlError.retryAfterSeconds ? { 'retry-after': String(sqlError.retryAfterSeconds) } : {}),
    };
    return { status: sqlError.status, headers, body: Buffer.from(sqlError.body) };
  }

  private asSqlError(error: unknown): SqlError {
    if (error instanceof SqlError) return error;
    if (error instanceof HttpException) {
      // The gate (503: busy), the token store (503: unavailable) and the rate limiter (429).
      const status = error.getStatus();
      const retry = error instanceof RetryLaterException ? error.retryAfterSeconds : undefined;
      const [code, name] = status === 429 ? [201, 'QUOTA_EXCEEDED'] : status === 503 ? [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'] : [0, 'HTTP'];
      return new SqlError(status, code, name, error.message, retry ?? (status === 503 ? 1 : undefined));
    }
    const engine = parseEngineError(error);
    if (engine) {
      const limit = classifyClickHouseFailure(error);
      // Every other engine error is about the caller's query (unknown column, bad type, …).
      return new SqlError(limit?.status ?? 400, engine.code, engine.codeName, engine.message, limit?.retryAfterSeconds);
    }
    this.logger.error(`SQL endpoint failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return new SqlError(503, 1002, 'UNKNOWN_EXCEPTION', 'the query could not be run; retry shortly', 5);
  }
}

async function decoded(request: SqlHttpRequest): Promise<Buffer | undefined> {
  const encoding = header(request.headers, 'content-encoding')?.trim().toLowerCase();
  if (!request.body || !encoding || encoding === 'identity') return request.body;
  const decoder = DECODERS[encoding];
  if (!decoder) throw badRequest(`Unknown Content-Encoding ${encoding}: send gzip, deflate, br or none`);
  try {
    return await decoder(request.body);
  } catch {
    throw badRequest(`the body is not valid ${encoding}`);
  }
}

/** The first of gzip, br, deflate the client accepts. */
function acceptedEncoding(accept: string | undefined): string | undefined {
  const offered = (accept ?? '').split(',').map((part) => part.split(';')[0].trim().toLowerCase());
  return ['gzip', 'br', 'deflate'].find((encoding) => offered.includes(encoding));
}
