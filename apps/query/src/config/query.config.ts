import { ClickHouseConfig, ClickHouseEnv, clickHouseConfig, HttpConfig, HttpEnv, httpConfig, loadEnv } from '@runstream/config';

class QueryHttpEnv extends HttpEnv {
  override PORT: number = 3001;
}

export interface QueryConfig {
  http: HttpConfig;
  clickhouse: ClickHouseConfig;
}

export function loadQueryConfig(env: NodeJS.ProcessEnv = process.env): QueryConfig {
  const loaded = loadEnv({ http: QueryHttpEnv, clickhouse: ClickHouseEnv }, env);
  return { http: httpConfig(loaded.http), clickhouse: clickHouseConfig(loaded.clickhouse) };
}
