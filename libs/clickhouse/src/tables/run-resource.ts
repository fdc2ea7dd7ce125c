import { RunRow } from './runs.table';
import { fromChDateTime } from '../time';
import { jsonObjectOf } from '../json-columns';

/**
 * The read API's run shapes, built from a `runs` row: the query app answers them and the notifier
 * sends them in webhook bodies, so both stay one shape.
 */

/** A run in list responses (docs/read-api.md). */
export interface RunSummary {
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
}

/** Durations are served in seconds with millisecond precision. */
export function roundSeconds(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}

export function toRunSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    project_id: row.project_id,
    job_name: row.job_name,
    cronjob_name: row.cronjob_name,
    job_type: row.job_type,
    status: row.status,
    start_time: fromChDateTime(row.start_time),
    end_time: fromChDateTime(row.end_time),
    duration_seconds: roundSeconds(row.duration_seconds),
    triggered_by: row.triggered_by,
    created_at: fromChDateTime(row.created_at),
    updated_at: fromChDateTime(row.updated_at),
  };
}

/** The run's telemetry summary as served (the write API's telemetrySummary, shallow-merged): `{}` when none was sent. */
export function telemetrySummaryOf(row: RunRow): Record<string, unknown> {
  return jsonObjectOf(row.telemetry_summary);
}

/** A single run (docs/read-api.md, GET /api/v1/runs/:runId). */
export interface JobRun extends RunSummary {
  job_id: string;
  namespace: string;
}

export function toJobRun(row: RunRow): JobRun {
  const { id, project_id, ...rest } = toRunSummary(row);
  return { id, project_id, job_id: row.job_id, ...rest, namespace: row.namespace };
}

/**
 * What the write API says about a run in its camelCase: ingest's create answer and gateway
 * listing, and the head of GET /api/elt/runs/:id (docs/write-api.md), which the query app serves.
 */
export interface EltRunFields {
  id: string;
  projectId: string;
  jobId: string;
  jobName: string;
  cronjobName: string;
  namespace: string;
  jobType: string;
  triggeredBy: string;
  createdAt: string;
}

export function toEltRunFields(row: RunRow): EltRunFields {
  return {
    id: row.id,
    projectId: row.project_id,
    jobId: row.job_id,
    jobName: row.job_name,
    cronjobName: row.cronjob_name,
    namespace: row.namespace,
    jobType: row.job_type,
    triggeredBy: row.triggered_by,
    createdAt: fromChDateTime(row.created_at),
  };
}
