import { ClickHouseSettings } from '@clickhouse/client';
import { anyRow, parseRows, RowSchema } from './columns';
import { Connections, EmbeddedConnections, QueryParams, RawResult, ServerConnections } from './connections';
import { chunkKeys, MAX_KEYS_PER_LOOKUP } from './tables/key-chunks';

export type { QueryParams, RawResult } from './connections';

export interface ClickHouseOptions {
  /** http(s) URL of a ClickHouse server; when absent, embedded chDB at `path`. */
  url?: string;
  path: string;
  database: string;
  /** CLICKHOUSE_CLUSTER: migrations run ON CLUSTER with Replicated engines (cluster-ddl.ts). */
  cluster?: string;
  /**
   * Settings every `query()` of this store runs under (e.g. the query app's max_execution_time,
   * max_memory_usage, max_result_rows); per-call settings win. Commands, inserts and migrations
   * are not affected (on chDB, too: each statement runs under exactly its own settings).
   */
  querySettings?: ClickHouseSettings;
  /** Settings every `insert()` of this store runs under (the materializer's on a cluster: versionedInsertSettings); per-call settings win. */
  insertSettings?: ClickHouseSettings;
  /** Embedded chDB only: how many statements may run at once (CLICKHOUSE_EMBEDDED_SESSIONS). */
  sessions?: number;
  /** CLICKHOUSE_MAX_URL_BYTES: the bound key lists of one lookup at most (MAX_LOOKUP_PARAM_BYTES when unset). */
  maxUrlBytes?: number;
  /** Embedded chDB only: how many more may wait for a session before a statement is refused (NoFreeSessionError, a 503). */
  maxQueuedStatements?: number;
}

/** Sessions of embedded chDB a store opens when not told: statements of one process run side by side up to this. */
export const DEFAULT_EMBEDDED_SESSIONS = 4;

export type StatementKind = 'query' | 'command' | 'insert';

/** Told the duration of every statement and whether it failed (the apps' metrics). */
export interface StatementObserver {
  statement(kind: StatementKind, seconds: number, failed: boolean): void;
}

/**
 * 64-bit integers as JSON strings, which JSON.parse keeps exact: a server quotes them by default
 * (unless a profile says otherwise) and chDB does not, so every read asks (columns.ts relies on it).
 */
const QUOTED_64BIT = { output_format_json_quote_64bit_integers: 1 } as const;

/**
 * The one way the apps talk to ClickHouse. Every statement names its database through
 * the bound identifier {db:Identifier}, and every value goes in as a bound parameter.
 */
export class ClickHouseStore {
  constructor(
    readonly connections: Connections,
    readonly database: string,
    readonly querySettings: ClickHouseSettings = {},
    private readonly observer?: StatementObserver,
    private readonly insertSettings: ClickHouseSettings = {},
  ) {}

  get embedded(): boolean {
    return this.connections.embedded;
  }

  /** `keys` in chunks small enough for one lookup each (key-chunks.ts), under these connections' URL budget. */
  keyChunks<K>(keys: readonly K[], fields: (key: K) => string[]): K[][] {
    return chunkKeys(keys, fields, MAX_KEYS_PER_LOOKUP, this.connections.maxParamBytes);
  }

  /** The same connections, telling `observer` about every statement. */
  observedBy(observer: StatementObserver): ClickHouseStore {
    return new ClickHouseStore(this.connections, this.database, this.querySettings, observer, this.insertSettings);
  }

  /** The same connections without the query settings (migrations must not hit read limits). */
  unlimited(): ClickHouseStore {
    return new ClickHouseStore(this.connections, this.database, {}, this.observer, this.insertSettings);
  }

  /** The rows of a SELECT, each parsed by `row` (RowShapeError names the column that does not fit). */
  async query<T>(row: RowSchema<T>, sql: string, params: QueryParams = {}, settings?: ClickHouseSettings): Promise<T[]> {
    const all = { ...this.querySettings, ...settings, ...QUOTED_64BIT };
    const rows = await this.observed('query', () => this.connections.rows(this.statement(sql, params, all)));
    return parseRows(row, rows, sql);
  }

  command(sql: string, params: QueryParams = {}, settings: ClickHouseSettings = {}): Promise<void> {
    return this.observed('command', () => this.connections.command(this.statement(sql, params, settings)));
  }

  async insert<T>(table: string, rows: readonly T[], settings: ClickHouseSettings = {}): Promise<void> {
    if (rows.length === 0) return;
    await this.observed('insert', () => this.connections.insert(`${this.database}.${table}`, rows, { ...this.insertSettings, ...settings }));
  }

  /**
   * The answer as bytes under the query settings, in `format` unless the SQL names its own: the
   * SQL endpoint's, whose parameters are the caller's own (no {db:Identifier}).
   */
  raw(sql: string, params: QueryParams, format: string): Promise<RawResult> {
    return this.observed('query', () => this.connections.raw({ sql, params, settings: this.querySettings }, format));
  }

  private statement(sql: string, params: QueryParams, settings: ClickHouseSettings) {
    return { sql, params: { ...params, db: this.database }, settings };
  }

  private async observed<T>(kind: StatementKind, statement: () => Promise<T>): Promise<T> {
    if (this.observer === undefined) return statement();
    const started = performance.now();
    let failed = true;
    try {
      const result = await statement();
      failed = false;
      return result;
    } finally {
      this.observer.statement(kind, (performance.now() - started) / 1000, failed);
    }
  }

  close(): Promise<void> {
    return this.connections.close();
  }
}

/**
 * The materializer's insert settings (and the rebuild's): on a cluster, replicated tables drop an
 * insert whose block they saw before, even after TRUNCATE, so a rebuild replaying an unchanged log
 * would lose rows without an error. Its rows are versioned, so a repeated insert changes nothing.
 */
export function versionedInsertSettings(cluster: string | undefined): ClickHouseSettings {
  return cluster ? { insert_deduplicate: 0 } : {};
}

export function openClickHouse(options: ClickHouseOptions): ClickHouseStore {
  return new ClickHouseStore(connectionsFor(options), options.database, options.querySettings, undefined, options.insertSettings);
}

function connectionsFor(options: ClickHouseOptions): Connections {
  if (options.url) return new ServerConnections(options.url, options.maxUrlBytes);
  // chDB reads the process time zone; every column is declared UTC as well.
  process.env.TZ = 'UTC';
  return new EmbeddedConnections(options.path, options.sessions ?? DEFAULT_EMBEDDED_SESSIONS, options.maxQueuedStatements);
}

/**
 * Every table the materializer derives from the log; a rebuild empties exactly these, the change
 * feed's watermarks first (so the feed sees nothing until the replay rewrites it).
 */
export const READ_MODEL_TABLES = [
  'feed_watermarks',
  'run_events',
  'runs',
  'run_log_entries',
  'run_telemetry_samples',
  'model_executions',
  'run_daily',
] as const;

export async function truncateReadModels(store: ClickHouseStore): Promise<void> {
  for (const table of READ_MODEL_TABLES) {
    await store.command('TRUNCATE TABLE IF EXISTS {db:Identifier}.{table:Identifier}', { table });
  }
}

/** Every read model's rows (FINAL, fully ordered): what replays and rebuilds must reproduce. */
export async function snapshotReadModels(store: ClickHouseStore): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of READ_MODEL_TABLES) {
    tables[table] = await store.query(anyRow, 'SELECT * FROM {db:Identifier}.{table:Identifier} FINAL ORDER BY ALL', { table });
  }
  return tables;
}
