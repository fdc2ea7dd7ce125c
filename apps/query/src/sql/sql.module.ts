import { DynamicModule, Module } from '@nestjs/common';
import { ClickHouseStore, DEFAULT_EMBEDDED_SESSIONS } from '@runstream/clickhouse';
import { DEFAULT_TIMEOUTS } from '@runstream/http';
import { QueryConfig, QueryGateConfig } from '../config/query.config';
import { QueryGate } from '../overload/query-gate';
import { ChdbSqlEngine } from './chdb-sql.engine';
import { ServerSqlEngine, ServerSqlOptions } from './server-sql.engine';
import { SqlAuthenticator } from './sql-authenticator';
import { SqlEndpoint } from './sql-endpoint';
import { SqlEngine } from './sql-engine';
import { MAX_QUERY_BYTES } from './sql-request';
import { SQL_LISTEN, SqlListen, SqlServer } from './sql.server';

export interface SqlModuleConfig {
  listen: SqlListen;
  /** Set when the apps use a ClickHouse server (CLICKHOUSE_URL): the endpoint then forwards to it. */
  server?: ServerSqlOptions;
  /** Its own gate (biGate): a BI dashboard's burst cannot starve the read API's slots. */
  gate: QueryGateConfig;
}

/**
 * BI access over SQL (docs/bi.md). The store and the token service come from their global
 * modules (ClickHouseModule, AuthModule); registered only when QUERY_SQL_PORT is not -1.
 */
@Module({})
export class SqlModule {
  static forRoot(config: SqlModuleConfig): DynamicModule {
    const server = config.server;
    return {
      module: SqlModule,
      providers: [
        { provide: SQL_LISTEN, useValue: config.listen },
        server
          ? { provide: SqlEngine, useValue: new ServerSqlEngine(server) }
          : { provide: SqlEngine, useFactory: (store: ClickHouseStore) => new ChdbSqlEngine(store), inject: [ClickHouseStore] },
        { provide: QueryGate, useValue: new QueryGate(config.gate) },
        SqlAuthenticator,
        SqlEndpoint,
        SqlServer,
      ],
    };
  }
}

/**
 * The SQL endpoint's gate: the read API's bounds, and on embedded chDB at most half the query
 * app's sessions (at least one), since its statements run on those too: the read API keeps the
 * rest whatever the BI tools send.
 */
export function biGate(config: Pick<QueryConfig, 'clickhouse' | 'gate'>): QueryGateConfig {
  if (config.clickhouse.url) return config.gate;
  const sessions = config.clickhouse.sessions ?? DEFAULT_EMBEDDED_SESSIONS;
  return { ...config.gate, maxConcurrent: Math.min(config.gate.maxConcurrent, Math.max(1, Math.floor(sessions / 2))) };
}

/** The SQL endpoint as the query app's config asks for it: [] when QUERY_SQL_PORT is -1. */
export function sqlModulesFor(config: QueryConfig): DynamicModule[] {
  if (config.sql.port < 0) return [];
  const { url, database } = config.clickhouse;
  const timeoutMs = Number(config.clickhouse.querySettings.max_execution_time ?? 10) * 1000 + 5_000;
  return [
    SqlModule.forRoot({
      listen: {
        port: config.sql.port,
        host: config.http.host,
        bodyLimit: MAX_QUERY_BYTES,
        maxUnsentBytes: config.sql.maxUnsentBytes,
        timeouts: { handlerMs: timeoutMs, receiveMs: config.limits.timeouts.receiveMs ?? DEFAULT_TIMEOUTS.receiveMs },
      },
      server: url ? { url, database, key: config.sql.serverKey, timeoutMs } : undefined,
      gate: biGate(config),
    }),
  ];
}
