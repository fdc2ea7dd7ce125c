import { ClickHouseStore } from './store';

/** Readiness of ClickHouse: a trivial query answers (same connection, same session as the app's). */
export function clickhouseProbe(store: ClickHouseStore): { name: string; check(): Promise<unknown> } {
  return { name: 'clickhouse', check: () => store.query('SELECT 1 AS ok') };
}
