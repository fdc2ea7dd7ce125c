import { Readable } from 'node:stream';
import { ClickHouseClient, ClickHouseSettings, createClient, DataFormat } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { MAX_LOOKUP_PARAM_BYTES } from './tables/key-chunks';
import { SessionSettings } from './embedded-statement';

export type QueryParams = Record<string, unknown>;

/** One statement: its SQL, bound parameters and settings. */
export interface Statement {
  sql: string;
  params: QueryParams;
  settings: ClickHouseSettings;
}

/** A raw answer: its bytes in the format asked and the engine's summary (the SQL endpoint's). */
export interface RawResult {
  body: Buffer;
  summary: Record<string, string>;
}

/** How the store reaches the engine: a ClickHouse server over HTTP, or sessions of embedded chDB. */
export interface Connections {
  readonly embedded: boolean;
  /** Bytes of bound key lists one statement may carry (a server's request URL; key-chunks.ts). */
  readonly maxParamBytes: number;
  /** Rows as the engine answered them, unchecked: ClickHouseStore.query parses them. */
  rows(statement: Statement): Promise<unknown[]>;
  command(statement: Statement): Promise<void>;
  insert(table: string, rows: readonly unknown[], settings: ClickHouseSettings): Promise<void>;
  /**
   * The answer as bytes, in `format` unless the SQL names its own (any output format the engine knows).
   * For a caller's SQL: it sees no parameter, setting or current database another statement set, and leaves none.
   */
  raw(statement: Statement, format: string): Promise<RawResult>;
  close(): Promise<void>;
}

/**
 * The answer's bytes, refused past `maxBytes` (0: no bound) with the engine's own error: the
 * result limits count the engine's column bytes, and a format can write those several times over
 * (JSON escapes a control character in six), all held here before the answer is sent.
 */
async function collect(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    bytes += buffer.length;
    if (maxBytes > 0 && bytes > maxBytes) {
      stream.destroy();
      // Shaped as the engine's own errors are (code and type beside the text), so every caller classifies it alike.
      const message = `Code: 396. DB::Exception: Limit for result exceeded, max bytes: ${maxBytes} of the formatted answer; select fewer rows or columns. (TOO_MANY_ROWS_OR_BYTES)`;
      throw Object.assign(new Error(message), { code: '396', type: 'TOO_MANY_ROWS_OR_BYTES' });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** The formatted answer's bound: the same number as the engine's max_result_bytes. */
const answerBound = (settings: ClickHouseSettings): number => Number(settings.max_result_bytes ?? 0);

const summaryOf = (summary: object | undefined): Record<string, string> => ({ ...(summary ?? {}) }) as Record<string, string>;

/** A ClickHouse server: the HTTP client keeps its own pool of connections, and each request carries its parameters and settings. */
export class ServerConnections implements Connections {
  readonly embedded = false;
  private readonly client: ClickHouseClient;

  constructor(
    url: string,
    readonly maxParamBytes = MAX_LOOKUP_PARAM_BYTES,
  ) {
    this.client = createClient({ url, request_timeout: 60_000 });
  }

  async rows({ sql, params, settings }: Statement): Promise<unknown[]> {
    const result = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow', clickhouse_settings: settings });
    return result.json<unknown>();
  }

  async command({ sql, params, settings }: Statement): Promise<void> {
    await this.client.command({ query: sql, query_params: params, clickhouse_settings: settings });
  }

  async insert(table: string, rows: readonly unknown[], settings: ClickHouseSettings): Promise<void> {
    await this.client.insert({ table, values: rows as unknown[], format: 'JSONEachRow', clickhouse_settings: settings });
  }

  async raw({ sql, params, settings }: Statement, format: string): Promise<RawResult> {
    const result = await this.client.exec({ query: sql, query_params: params, clickhouse_settings: { ...settings, default_format: format as DataFormat } });
    return { body: await collect(result.stream, answerBound(settings)), summary: summaryOf(result.summary) };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * chDB's connection, as @clickhouse/client's Connection (so errors are the client's ClickHouseError);
 * chdb declares it against its own copy of the client's types.
 */
type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

interface Session {
  client: ClickHouseClient;
  settings: SessionSettings;
}

/** Statements a store lets wait for an embedded session before refusing more. */
export const DEFAULT_MAX_QUEUED_STATEMENTS = 1_024;

/** Every session busy and the waiting line full: shaped as ClickHouse's own NO_FREE_CONNECTION (code 203), answered 503. */
export class NoFreeSessionError extends Error {
  override readonly name = 'NoFreeSessionError';
  readonly code = '203';
  readonly type = 'NO_FREE_CONNECTION';

  constructor(sessions: number, queued: number) {
    super(`all ${sessions} chDB sessions are busy and ${queued} statements already wait for one`);
  }
}

/**
 * Embedded chDB through up to `size` sessions on the one data directory, each running one
 * statement at a time. chDB runs statements of different sessions in parallel, except those
 * bound through its parameter call, which it runs one at a time for the whole process; so no
 * statement here uses that call (embedded-statement.ts). Sessions open as statements overlap,
 * and stay open.
 */
export class EmbeddedConnections implements Connections {
  readonly embedded = true;
  readonly maxParamBytes = MAX_LOOKUP_PARAM_BYTES;
  private readonly idle: Session[] = [];
  private readonly all: Session[] = [];
  private readonly waiting: ((session: Session) => void)[] = [];

  constructor(
    private readonly path: string,
    readonly size: number,
    private readonly maxQueued = DEFAULT_MAX_QUEUED_STATEMENTS,
  ) {
    this.idle.push(this.open());
  }

  rows(statement: Statement): Promise<unknown[]> {
    return this.run(statement, async (client, query) => (await client.query({ query, format: 'JSONEachRow' })).json<unknown>());
  }

  command(statement: Statement): Promise<void> {
    return this.run(statement, async (client, query) => {
      await client.command({ query });
    });
  }

  insert(table: string, rows: readonly unknown[], settings: ClickHouseSettings): Promise<void> {
    const values = rows.map((row) => JSON.stringify(row)).join('\n');
    return this.run({ sql: `INSERT INTO ${table} FORMAT JSONEachRow`, params: {}, settings }, async (client, query) => {
      await client.exec({ query, values: Readable.from([values]) });
    });
  }

  /**
   * A caller's SQL (the SQL endpoint) runs on a session opened for it alone and closed after it,
   * within the pool's bound: a pooled session keeps the parameters, settings and current database
   * its statements set, and no organisation may read what another's statement left there (or
   * leave anything for the next). Opening one costs about as much as the statement itself.
   */
  async raw({ sql, params, settings }: Statement, format: string): Promise<RawResult> {
    const slot = await this.acquire();
    const client = this.client();
    try {
      const query = new SessionSettings().statement(sql, params, settings);
      // chDB takes the output format as an option of the call (default_format), not as a setting.
      const result = await client.exec({ query, clickhouse_settings: { default_format: format as DataFormat } });
      return { body: await collect(result.stream, answerBound(settings)), summary: summaryOf(result.summary) };
    } finally {
      await client.close();
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((session) => session.client.close()));
  }

  private client(): ClickHouseClient {
    return createClient({ connection: createChdbConnection({ path: this.path }) as unknown as ClientConnection });
  }

  private open(): Session {
    const session = { client: this.client(), settings: new SessionSettings() };
    this.all.push(session);
    return session;
  }

  private async run<T>({ sql, params, settings }: Statement, work: (client: ClickHouseClient, query: string) => Promise<T>): Promise<T> {
    const session = await this.acquire();
    try {
      return await work(session.client, session.settings.statement(sql, params, settings));
    } catch (error) {
      session.settings.failed();
      throw error;
    } finally {
      this.release(session);
    }
  }

  private acquire(): Promise<Session> {
    const session = this.idle.pop() ?? (this.all.length < this.size ? this.open() : undefined);
    if (session) return Promise.resolve(session);
    // Past the bound, callers answer 503 at once (classifyClickHouseFailure) instead of queueing work their clients gave up on.
    if (this.waiting.length >= this.maxQueued) return Promise.reject(new NoFreeSessionError(this.size, this.maxQueued));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(session: Session): void {
    const next = this.waiting.shift();
    if (next) next(session);
    else this.idle.push(session);
  }
}
