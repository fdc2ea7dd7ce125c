import { fromChDateTime, ModelExecutionRow, ModelStatsRow } from '@runstream/clickhouse';
import { finite } from '../runs/daily-stats';
import { roundSeconds } from '../runs/run.response';

/** docs/read-api.md, executions object. */
export interface Execution {
  id: string;
  job_run_id: string;
  project_id: string;
  model_name: string;
  started_at: string;
  completed_at: string | null;
  duration_seconds: number | null;
  status: string;
  rows_processed: number | null;
  bytes_processed: number | null;
  interval_start: string | null;
  interval_end: string | null;
  cronjob_name: string;
  created_at: string;
  updated_at: string;
}

export interface ModelStats {
  project_id: string;
  model_name: string;
  total_executions: number;
  successful_executions: number;
  failed_executions: number;
  avg_duration_seconds: number | null;
  p50_duration_seconds: number | null;
  p95_duration_seconds: number | null;
  max_duration_seconds: number | null;
  min_duration_seconds: number | null;
  total_rows_processed: number;
  avg_rows_processed: number | null;
  total_bytes_processed: number;
  avg_bytes_processed: number | null;
  last_execution_time: string | null;
}

const orNull = (value: number | string | null): number | null => (value === null ? null : Number(value));
const round1 = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10);

export function toExecution(row: ModelExecutionRow): Execution {
  return {
    id: row.id,
    job_run_id: row.job_run_id,
    project_id: row.project_id,
    model_name: row.model_name,
    started_at: fromChDateTime(row.started_at),
    completed_at: fromChDateTime(row.completed_at),
    duration_seconds: roundSeconds(row.duration_seconds),
    status: row.status,
    rows_processed: orNull(row.rows_processed),
    bytes_processed: orNull(row.bytes_processed),
    interval_start: fromChDateTime(row.interval_start),
    interval_end: fromChDateTime(row.interval_end),
    cronjob_name: row.cronjob_name,
    created_at: fromChDateTime(row.created_at),
    updated_at: fromChDateTime(row.updated_at),
  };
}

export function toModelStats(projectId: string, row: ModelStatsRow): ModelStats {
  return {
    project_id: projectId,
    model_name: row.model_name,
    total_executions: Number(row.total_executions),
    successful_executions: Number(row.successful_executions),
    failed_executions: Number(row.failed_executions),
    avg_duration_seconds: roundSeconds(finite(row.avg_duration_seconds)),
    p50_duration_seconds: roundSeconds(finite(row.p50_duration_seconds)),
    p95_duration_seconds: roundSeconds(finite(row.p95_duration_seconds)),
    max_duration_seconds: roundSeconds(finite(row.max_duration_seconds)),
    min_duration_seconds: roundSeconds(finite(row.min_duration_seconds)),
    total_rows_processed: row.total_rows_processed ?? 0,
    avg_rows_processed: round1(finite(row.avg_rows_processed)),
    total_bytes_processed: row.total_bytes_processed ?? 0,
    avg_bytes_processed: round1(finite(row.avg_bytes_processed)),
    last_execution_time: fromChDateTime(row.last_execution_time),
  };
}
