import { ClickHouseClient, ClickHouseSettings, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

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
   * are not affected. chDB applies them with SET on this connection's own session only.
   */
  querySettings?: ClickHouseSettings;
}

export type QueryParams = Record<string, unknown>;

export type StatementKind = 'query' | 'command' | 'insert';

/** Told the duration of every statement and whether it failed (the apps' metrics). */
export interface StatementObserver {
  statement(kind: StatementKind, seconds: number, failed: boolean): void;
}

/** ClickHouse defaults of the limit settings that are not plain numbers (for the others 0 means no limit). */
const UNLIMITED: Record<string, string> = { result_overflow_mode: 'throw' };

/**
 * The one way the apps talk to ClickHouse. Every statement names its database through
 * the bound identifier {db:Identifier} (chDB ignores the client's `database` option),
 * and every value goes in as a bound parameter.
 */
export class ClickHouseStore {
  constructor(
    readonly client: ClickHouseClient,
    readonly database: string,
    readonly embedded: boolean,
    readonly querySettings: ClickHouseSettings = {},
    private readonly observer?: StatementObserver,
  ) {}

  /** The same connection, telling `observer` about every statement. */
  observedBy(observer: StatementObserver): ClickHouseStore {
    return new ClickHouseStore(this.client, this.database, this.embedded, this.querySettings, observer);
  }

  /**
   * The same connection with its query settings lifted (migrations must not hit read limits).
   * Lifted means set to ClickHouse's own defaults rather than left out: chDB applies settings
   * with SET, which stays on the connection's session.
   */
  unlimited(): ClickHouseStore {
    const lifted = Object.fromEntries(Object.keys(this.querySettings).map((name) => [name, UNLIMITED[name] ?? 0]));
    return new ClickHouseStore(this.client, this.database, this.embedded, lifted, this.observer);
  }

  query<T>(query: string, params: QueryParams = {}, settings?: ClickHouseSettings): Promise<T[]> {
    return this.observed('query', async () => {
      const result = await this.client.query({
        query,
        query_params: { ...params, db: this.database },
        format: 'JSONEachRow',
        clickhouse_settings: { ...this.querySettings, ...settings },
      });
      return result.json<T>();
    });
  }

  command(query: string, params: QueryParams = {}): Promise<void> {
    return this.observed('command', async () => {
      await this.client.command({ query, query_params: { ...params, db: this.database } });
    });
  }

  async insert<T>(table: string, rows: readonly T[], settings?: ClickHouseSettings): Promise<void> {
    if (rows.length === 0) return;
    await this.observed('insert', async () => {
      await this.client.insert({
        table: `${this.database}.${table}`,
        values: rows as T[],
        format: 'JSONEachRow',
        clickhouse_settings: settings,
      });
    });
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
    return this.client.close();
  }
}

/**
 * chdb declares its Connection against @clickhouse/client-common's types, which
 * @clickhouse/client now bundles as its own copies: same shape, different identity.
 */
type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

export function openClickHouse(options: ClickHouseOptions): ClickHouseStore {
  if (options.url) {
    return new ClickHouseStore(createClient({ url: options.url, request_timeout: 60_000 }), options.database, false, options.querySettings);
  }
  // chDB reads the process time zone; every column is declared UTC as well.
  process.env.TZ = 'UTC';
  return new ClickHouseStore(
    createClient({ connection: createChdbConnection({ path: options.path }) as unknown as ClientConnection }),
    options.database,
    true,
    options.querySettings,
  );
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
    tables[table] = await store.query('SELECT * FROM {db:Identifier}.{table:Identifier} FINAL ORDER BY ALL', { table });
  }
  return tables;
}
