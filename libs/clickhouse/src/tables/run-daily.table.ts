import { ClickHouseStore } from '../store';
import { RunRow } from './runs.table';

export const RUN_DAILY_TABLE = 'run_daily';

/** A row of `run_daily` (migration 0014): the daily-stats projection of one run. */
export interface RunDailyRow {
  org_id: string;
  project_id: string;
  /** YYYY-MM-DD, UTC date of the run's created_at. */
  day: string;
  cronjob_name: string;
  run_id: string;
  status: string;
  duration_seconds: number | null;
  version: string;
}

export function toRunDailyRow(run: RunRow): RunDailyRow {
  return {
    org_id: run.org_id,
    project_id: run.project_id,
    day: run.created_at.slice(0, 10),
    cronjob_name: run.cronjob_name,
    run_id: run.id,
    status: run.status,
    duration_seconds: run.duration_seconds,
    version: String(run.kafka_offset),
  };
}

export function insertRunDaily(store: ClickHouseStore, rows: readonly RunDailyRow[]): Promise<void> {
  return store.insert(RUN_DAILY_TABLE, rows);
}
