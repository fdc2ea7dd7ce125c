import { z } from 'zod';
import { column } from './columns';
import { ClickHouseStore } from './store';

/** Readiness of ClickHouse: a trivial query answers (same connection, same session as the app's). */
export function clickhouseProbe(store: ClickHouseStore): { name: string; check(): Promise<unknown> } {
  return { name: 'clickhouse', check: () => store.query(z.object({ ok: column.int }), 'SELECT 1 AS ok') };
}
