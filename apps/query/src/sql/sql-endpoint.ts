import { HttpException, Injectable, Logger } from '@nestjs/common';
import { RetryLaterException } from '@runstream/http';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants as zlibConstants, deflate, gunzip, gzip, inflate } from 'node:zlib';
import { classifyClickHouseFailure } from '@runstream/clickhouse';
import { QueryGate } from '../overload/query-gate';
import { compressNative, decompressNative } from './clickhouse-compression';
import { SqlAuthenticator } from './sql-authenticator';
import { credentialsOf } from './sql-credentials';
import { SqlEngine } from './sql-engine';
import { badRequest, callerMessage, parseEngineError, SqlError } from './sql-error';
import { contentTypeOf } from './sql-formats';
import { MAX_QUERY_BYTES, nativeCompressionOf, parseSqlRequest, urlCredentials } from './sql-request';

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

type Codec = (input: Buffer, options?: { maxOutputLength?: number }) => Promise<Buffer>;
const brotli = promisify(brotliCompress);
/**
 * Brotli at quality 4, not Node's default 11: 11 compresses well under 1 MB/s, so a large answer
 * would hold a thread of libuv's small pool (DNS lookups, files, zlib) for minutes.
 */
const BROTLI_QUALITY = 4;
const ENCODERS: Record<string, Codec> = {
  gzip: promisify(gzip),
  deflate: promisify(deflate),
  br: (input) => brotli(input, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }),
};
const DECODERS: Record<string, Codec> = { gzip: promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) };
const tooLarge = (what: string) =>
  new SqlError(413, 229, 'QUERY_IS_TOO_LARGE', `the body (${what}) decompresses to more than the ${MAX_QUERY_BYTES}-byte query limit`);

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
    let compressAnswer = false;
    try {
      const native = nativeCompressionOf(url);
      compressAnswer = native.answer;
      // Credentials first, as ClickHouse checks them: decoding a body costs CPU no stranger may spend.
      const orgId = await this.authenticator.organisationOf(credentialsOf(request.headers, urlCredentials(url)), request.ip);
      const body = await decoded(request, native.body);
      const parsed = parseSqlRequest(request.method, url, body);
      queryId = parsed.queryId;
      if (parsed.database !== undefined && parsed.database !== '' && !this.engine.databaseNames(orgId).includes(parsed.database)) {
        throw new SqlError(
          404,
          81,
          'UNKNOWN_DATABASE',
          `the database named by database= is not one of this organisation's; use ${this.engine.publicDatabase} or leave it out`,
        );
      }
      const defaultFormat = parsed.defaultFormat ?? header(request.headers, 'x-clickhouse-format') ?? 'TabSeparated';
      const result = await this.gate.run(orgId, () => this.engine.run(orgId, { sql: parsed.sql, params: parsed.params, defaultFormat, queryId }));
      const headers: Record<string, string> = {
        'content-type': contentTypeOf(result.format),
        'x-clickhouse-format': result.format,
        'x-clickhouse-query-id': queryId,
        'x-clickhouse-summary': JSON.stringify(result.summary),
        'x-clickhouse-database': this.engine.databaseNames(orgId)[0],
        'x-clickhouse-timezone': 'UTC',
      };
      // ClickHouse's order: its own blocks inside, HTTP Content-Encoding (if also asked for) around them.
      const answer = compressAnswer ? await compressNative(result.body) : result.body;
      const encoding = parsed.httpCompression ? acceptedEncoding(header(request.headers, 'accept-encoding')) : undefined;
      if (!encoding) return { status: 200, headers, body: answer };
      return { status: 200, headers: { ...headers, 'content-encoding': encoding }, body: await ENCODERS[encoding](answer) };
    } catch (error) {
      return this.failure(error, queryId, compressAnswer);
    }
  }

  /** A request refused before it is read (the server's own limits), answered as handle() answers failures. */
  refused(request: SqlHttpRequest, error: SqlError): Promise<SqlHttpResponse> {
    let compressAnswer = false;
    try {
      compressAnswer = nativeCompressionOf(new URL(request.url, 'http://localhost').searchParams).answer;
    } catch {
      // A malformed compress= flag: the refusal goes plain.
    }
    return this.failure(error, '', compressAnswer);
  }

  /**
   * With compress=1 the error text is in compressed blocks too, as ClickHouse writes an error
   * into the answer's stream, except 401/403: ClickHouse refuses credentials before that stream
   * exists, and the JDBC driver reads those two plain.
   */
  private async failure(error: unknown, queryId: string, compressAnswer: boolean): Promise<SqlHttpResponse> {
    const sqlError = this.asSqlError(error);
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-clickhouse-exception-code': String(sqlError.code),
      ...(queryId ? { 'x-clickhouse-query-id': queryId } : {}),
      ...(sqlError.status === 401 ? { 'www-authenticate': 'Basic realm="runstream BI (user = organisation, password = API token)"' } : {}),
      ...(sqlError.retryAfterSeconds ? { 'retry-after': String(sqlError.retryAfterSeconds) } : {}),
    };
    const body = Buffer.from(sqlError.body);
    const compress = compressAnswer && sqlError.status !== 401 && sqlError.status !== 403;
    return { status: sqlError.status, headers, body: compress ? await compressNative(body) : body };
  }

  private asSqlError(error: unknown): SqlError {
    if (error instanceof SqlError) return error;
    if (error instanceof HttpException) {
      // The gate (503: busy, or a queue place given up to another organisation), the token store (503: unavailable) and the rate limiter (429).
      const status = error.getStatus();
      const retry = error instanceof RetryLaterException ? error.retryAfterSeconds : undefined;
      const [code, name] = status === 429 ? [201, 'QUOTA_EXCEEDED'] : status === 503 ? [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'] : [0, 'HTTP'];
      return new SqlError(status, code, name, error.message, retry ?? (status === 503 ? 1 : undefined));
    }
    const engine = parseEngineError(error);
    if (engine) {
      const limit = classifyClickHouseFailure(error);
      // Every other engine error is about the caller's query (unknown column, bad type, …).
      return new SqlError(limit?.status ?? 400, engine.code, engine.codeName, callerMessage(engine, this.engine.views), limit?.retryAfterSeconds);
    }
    this.logger.error(`SQL endpoint failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return new SqlError(503, 1002, 'UNKNOWN_EXCEPTION', 'the query could not be run; retry shortly', 5);
  }
}

/**
 * The body as sent: HTTP Content-Encoding undone, then ClickHouse's blocks (decompress=1), as
 * ClickHouse layers them. Neither may inflate past the query limit (a decompression bomb).
 */
async function decoded(request: SqlHttpRequest, nativeBlocks: boolean): Promise<Buffer | undefined> {
  const encoding = header(request.headers, 'content-encoding')?.trim().toLowerCase();
  let body = request.body;
  if (body && encoding && encoding !== 'identity') {
    const decoder = DECODERS[encoding];
    if (!decoder) throw badRequest(`Unknown Content-Encoding ${encoding}: send gzip, deflate, br or none`);
    try {
      body = await decoder(body, { maxOutputLength: MAX_QUERY_BYTES });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(encoding);
      throw badRequest(`the body is not valid ${encoding}`);
    }
  }
  return body && nativeBlocks ? decompressNative(body, MAX_QUERY_BYTES) : body;
}

/** The first of gzip, br, deflate the client accepts. */
function acceptedEncoding(accept: string | undefined): string | undefined {
  const offered = (accept ?? '').split(',').map((part) => part.split(';')[0].trim().toLowerCase());
  return ['gzip', 'br', 'deflate'].find((encoding) => offered.includes(encoding));
}
