import { TupleParam } from '@clickhouse/client';
import { z } from 'zod';
import { isTerminal, RUN_STATUSES } from '@runstream/events';
import { column } from '../columns';
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

const ActiveJobRunSchema = z.object({ org_id: column.text, project_id: column.text, job_id: column.text, id: column.text, status: column.text });
/** A job's run not ended yet (pending or running). */
export type ActiveJobRun = z.infer<typeof ActiveJobRunSchema>;

const ACTIVE_STATUSES = RUN_STATUSES.filter((status) => !isTerminal(status));

/**
 * One run not ended yet (pending or running) of each of the given jobs that has one, among the runs
 * created at or after `since`: what a schedule under the Forbid concurrency policy waits for.
 */
export function selectActiveJobRuns(
  store: ClickHouseStore,
  jobs: readonly { org_id: string; project_id: string; job_id: string }[],
  since: ChDateTime,
): Promise<ActiveJobRun[]> {
  if (jobs.length === 0) return Promise.resolve([]);
  return store.query(
    ActiveJobRunSchema,
    `SELECT org_id, project_id, job_id, id, status FROM {db:Identifier}.runs FINAL
     WHERE (org_id, project_id, job_id) IN {keys:Array(Tuple(String, String, String))}
       AND created_at >= {since:DateTime64(3, 'UTC')} AND status IN {statuses:Array(String)}
     ORDER BY created_at DESC LIMIT 1 BY org_id, project_id, job_id`,
    { keys: jobs.map((job) => new TupleParam([job.org_id, job.project_id, job.job_id])), since, statuses: ACTIVE_STATUSES },
    FINAL_WITHIN_PARTITIONS,
  );
}
