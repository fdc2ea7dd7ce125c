import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';
import { ChDateTime } from '../time';
import { FINAL_WITHIN_PARTITIONS, RunRow, RunRowSchema } from './runs.table';

/** Organisation-wide reads of `runs` for GET /v1/executions/stats (docs/read-api.md). */

const OrgRunGroupRowSchema = z.object({
  bucket: column.dateTime,
  project_id: column.text,
  status: column.text,
  claimed: column.int,
  runs: column.count,
  /** Sum and count of durations of runs that have one. */
  duration_sum: z.number(),
  duration_count: column.count,
});
export type OrgRunGroupRow = z.infer<typeof OrgRunGroupRowSchema>;

/**
 * Runs of an organisation created in [from, to), grouped by time bucket, project, status and
 * whether they were claimed. Granularity picks one of two fixed expressions, never SQL text
 * from the caller.
 */
export function selectOrgRunGroups(
  store: ClickHouseStore,
  orgId: string,
  from: ChDateTime,
  to: ChDateTime,
  granularity: 'hourly' | 'daily',
): Promise<OrgRunGroupRow[]> {
  const bucket = granularity === 'hourly' ? 'toStartOfHour(created_at)' : 'toStartOfDay(created_at)';
  return store.query(
    OrgRunGroupRowSchema,
    `SELECT ${bucket} AS bucket, project_id, status, claimed_by != '' AS claimed,
            count() AS runs, sum(ifNull(duration_seconds, 0)) AS duration_sum, count(duration_seconds) AS duration_count
     FROM {db:Identifier}.runs FINAL
     WHERE org_id = {org_id:String} AND created_at >= {from:DateTime64(3, 'UTC')} AND created_at < {to:DateTime64(3, 'UTC')}
     GROUP BY bucket, project_id, status, claimed`,
    { org_id: orgId, from, to },
    FINAL_WITHIN_PARTITIONS,
  );
}

/** The latest failed, error and partial runs created in [from, to). */
export function selectRecentFailures(store: ClickHouseStore, orgId: string, from: ChDateTime, to: ChDateTime, limit: number): Promise<RunRow[]> {
  return store.query(
    RunRowSchema,
    `SELECT * FROM {db:Identifier}.runs FINAL
     WHERE org_id = {org_id:String} AND created_at >= {from:DateTime64(3, 'UTC')} AND created_at < {to:DateTime64(3, 'UTC')}
       AND status IN ('failed', 'error', 'partial')
     ORDER BY updated_at DESC, id DESC LIMIT {limit:UInt32}`,
    { org_id: orgId, from, to, limit },
    FINAL_WITHIN_PARTITIONS,
  );
}
