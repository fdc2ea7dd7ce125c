import { TupleParam } from '@clickhouse/client';
import { ClickHouseStore } from '../store';
import { ChDateTime } from '../time';

export const MODEL_EXECUTIONS_TABLE = 'model_executions';

/** A row of `model_executions` (migration 0008). */
export interface ModelExecutionRow {
  org_id: string;
  project_id: string;
  model_name: string;
  id: string;
  job_run_id: string;
  cronjob_name: string;
  status: string;
  started_at: ChDateTime;
  completed_at: ChDateTime | null;
  duration_seconds: number | null;
  rows_processed: number | string | null;
  bytes_processed: number | string | null;
  interval_start: ChDateTime | null;
  interval_end: ChDateTime | null;
  created_at: ChDateTime;
  updated_at: ChDateTime;
  version: string;
}

export interface ModelExecutionKey {
  org_id: string;
  project_id: string;
  model_name: string;
  id: string;
}

export function insertModelExecutions(store: ClickHouseStore, rows: readonly ModelExecutionRow[]): Promise<void> {
  return store.insert(MODEL_EXECUTIONS_TABLE, rows);
}

/** created_at of executions already stored, so a re-report keeps when it was first seen. */
export async function selectExecutionCreatedAt(store: ClickHouseStore, keys: readonly ModelExecutionKey[]): Promise<Map<string, ChDateTime>> {
  if (keys.length === 0) return new Map();
  const rows = await store.query<ModelExecutionKey & { created_at: ChDateTime }>(
    `SELECT org_id, project_id, model_name, id, created_at FROM {db:Identifier}.model_executions FINAL
     WHERE (org_id, project_id, model_name, id) IN {keys:Array(Tuple(String, String, String, String))}`,
    { keys: keys.map((k) => new TupleParam([k.org_id, k.project_id, k.model_name, k.id])) },
  );
  return new Map(rows.map((row) => [executionKey(row), row.created_at]));
}

export function executionKey(key: ModelExecutionKey): string {
  return `${key.org_id}\u0000${key.project_id}\u0000${key.model_name}\u0000${key.id}`;
}
