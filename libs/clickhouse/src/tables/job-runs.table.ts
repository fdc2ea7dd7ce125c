import { ClickHouseStore } from '../store';
import { ChDateTime } from '../time';
import { FINAL_WITHIN_PARTITIONS, RunRow, RunRowSchema, TotalRowSchema } from './runs.table';

/** Which runs of jobs an organisation's live executions list shows (the local backend's GET /api/v1/jobs). */
export interface JobRunFilter {
  orgId: string;
  /** Canonical run statuses to keep; empty: all. */
  statuses: readonly string[];
  projectId?: string;
  /** Runs created at or after this. */
  since: ChDateTime;
  limit: number;
}

const WHERE = `org_id = {org_id:String} AND job_id != '' AND created_at >= {since:DateTime64(3, 'UTC')}
  AND (length({statuses:Array(String)}) = 0 OR status IN {statuses:Array(String)})
  AND ({project_id:String} = '' OR project_id = {project_id:String})`;

function params(filter: JobRunFilter): Record<string, unknown> {
  return { org_id: filter.orgId, since: filter.since, statuses: filter.statuses, project_id: filter.projectId ?? '', limit: filter.limit };
}

/** Runs started from jobs, newest first, and how many match in all. */
export async function listJobRuns(store: ClickHouseStore, filter: JobRunFilter): Promise<{ rows: RunRow[]; total: number }> {
  const [rows, counts] = await Promise.all([
    store.query(
      RunRowSchema,
      `SELECT * FROM {db:Identifier}.runs FINAL WHERE ${WHERE} ORDER BY created_at DESC, id DESC LIMIT {limit:UInt32}`,
      params(filter),
      FINAL_WITHIN_PARTITIONS,
    ),
    store.query(TotalRowSchema, `SELECT count() AS total FROM {db:Identifier}.runs FINAL WHERE ${WHERE}`, params(filter), FINAL_WITHIN_PARTITIONS),
  ]);
  return { rows, total: counts[0]?.total ?? 0 };
}

/** The newest run of a job named `jobName` (the execution name `<project>-<job>-<stamp>`). */
export async function findJobRunByName(store: ClickHouseStore, orgId: string, jobName: string): Promise<RunRow | undefined> {
  const rows = await store.query(
    RunRowSchema,
    `SELECT * FROM {db:Identifier}.runs FINAL
     WHERE org_id = {org_id:String} AND job_id != '' AND job_name = {job_name:String}
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    { org_id: orgId, job_name: jobName },
    FINAL_WITHIN_PARTITIONS,
  );
  return rows[0];
}
