/**
 * Answers of the read API. Its OpenAPI document describes requests, not response bodies yet
 * (the controllers return interfaces Swagger cannot see), so these follow docs/read-api.md and
 * docs/change-feed.md.
 */
export interface JobRun {
  id: string;
  project_id: string;
  job_name: string;
  cronjob_name: string;
  job_type: string;
  status: string;
  start_time: string | null;
  end_time: string | null;
  duration_seconds: number | null;
  triggered_by: string;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}

export interface ModelExecution {
  id: string;
  job_run_id: string;
  project_id: string;
  model_name: string;
  status: string;
  started_at: string;
  completed_at: string | null;
  duration_seconds: number | null;
  updated_at: string;
  [field: string]: unknown;
}

export type Change = ({ type: 'run'; run: JobRun } | { type: 'model_execution'; model_execution: ModelExecution }) & { log_position: string };

export interface ChangesPage {
  changes: Change[];
  next_cursor: string;
  has_more: boolean;
}

export interface SlaReport {
  threshold_seconds: number;
  days: number;
  breaches: { date: string; p95_duration_seconds: number; max_duration_seconds: number | null; total_runs: number }[];
  total: number;
}

export interface RegressionReport {
  min_change: number;
  regressions: { model_name: string; previous_p95_seconds: number; current_p95_seconds: number; change_percent: number }[];
  total: number;
}
