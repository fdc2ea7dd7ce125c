import { fromChDateTime, RunRow } from '@runstream/clickhouse';

/** What the write API says about a stored run, in its camelCase (the create answer, the gateway listing). */
export interface RunFields {
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

export function runFields(row: RunRow): RunFields {
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
