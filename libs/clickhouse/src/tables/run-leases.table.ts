import { ClickHouseStore } from '../store';
import { z } from 'zod';
import { ChDateTime } from '../time';
import { FINAL_WITHIN_PARTITIONS, RunRowSchema } from './runs.table';

/** A claimed, unfinished run and when it last changed (columns of `runs`). */
const ClaimedRunLeaseSchema = RunRowSchema.pick({
  org_id: true,
  project_id: true,
  id: true,
  status: true,
  target_gateway: true,
  claimed_by: true,
  updated_at: true,
});
export type ClaimedRunLease = z.infer<typeof ClaimedRunLeaseSchema>;

/**
 * Runs a gateway claimed that are still `pending` or `running` and whose latest state is older
 * than `before`: their agent has not reported since (the lease sweeper ends them).
 *
 * The inner scan reads no FINAL: it finds every run with *some* stored version in that state
 * (superseded versions not yet merged away included), cheaply, over four columns. The outer
 * FINAL then reads only those runs' granules (the key set prunes the primary index) and keeps
 * the runs whose latest version still matches.
 */
export function listExpiredLeases(store: ClickHouseStore, before: ChDateTime, limit: number): Promise<ClaimedRunLease[]> {
  return store.query(
    ClaimedRunLeaseSchema,
    `SELECT org_id, project_id, id, status, target_gateway, claimed_by, updated_at
     FROM {db:Identifier}.runs FINAL
     WHERE (org_id, project_id, id) IN (
             SELECT org_id, project_id, id FROM {db:Identifier}.runs
             WHERE status IN ('pending', 'running') AND claimed_by != '' AND target_gateway != ''
               AND updated_at < {before:DateTime64(3, 'UTC')})
       AND status IN ('pending', 'running') AND claimed_by != '' AND target_gateway != ''
       AND updated_at < {before:DateTime64(3, 'UTC')}
     ORDER BY updated_at, id
     LIMIT {limit:UInt32}`,
    { before, limit },
    FINAL_WITHIN_PARTITIONS,
  );
}

/** A pending run nobody claimed, and where its executor should be (columns of `runs`). */
const UnclaimedRunSchema = RunRowSchema.pick({ org_id: true, project_id: true, id: true, namespace: true, job_name: true, created_at: true });
export type UnclaimedRun = z.infer<typeof UnclaimedRunSchema>;

/**
 * Runs the control plane placed on Kubernetes for `gateway` (a job and a namespace) that are
 * still `pending` with no claim, created before `before`, oldest first: the runs whose pods have
 * not claimed them (the Kubernetes backend's stranded-run sweep). Same two-step read as above.
 */
export function listUnclaimedPlacedRuns(store: ClickHouseStore, gateway: string, before: ChDateTime, limit: number): Promise<UnclaimedRun[]> {
  return store.query(
    UnclaimedRunSchema,
    `SELECT org_id, project_id, id, namespace, job_name, created_at
     FROM {db:Identifier}.runs FINAL
     WHERE (org_id, project_id, id) IN (
             SELECT org_id, project_id, id FROM {db:Identifier}.runs
             WHERE target_gateway = {gateway:String} AND status = 'pending' AND claimed_by = '' AND namespace != '' AND job_id != ''
               AND created_at < {before:DateTime64(3, 'UTC')})
       AND target_gateway = {gateway:String} AND status = 'pending' AND claimed_by = ''
     ORDER BY created_at, id
     LIMIT {limit:UInt32}`,
    { gateway, before, limit },
    FINAL_WITHIN_PARTITIONS,
  );
}
