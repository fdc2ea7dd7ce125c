import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';

/** A job's environment, as stored: JSON object text, string to string (secret values); `deleted` 1 once the job is deleted. */
export const JobEnvironmentRowSchema = z.object({ id: column.text, environment: column.text, deleted: column.int });
export type JobEnvironmentRow = z.infer<typeof JobEnvironmentRowSchema>;

/**
 * The current environment of the given jobs of one organisation, for the runs an agent is about
 * to execute, and whether each was deleted. Unknown jobs are absent. One query for the whole list.
 */
export function selectJobEnvironments(store: ClickHouseStore, orgId: string, jobIds: readonly string[]): Promise<JobEnvironmentRow[]> {
  if (jobIds.length === 0) return Promise.resolve([]);
  return store.query(
    JobEnvironmentRowSchema,
    `SELECT id, environment, deleted FROM {db:Identifier}.jobs FINAL
     WHERE org_id = {org:String} AND id IN {ids:Array(String)}`,
    { org: orgId, ids: [...new Set(jobIds)] },
  );
}
