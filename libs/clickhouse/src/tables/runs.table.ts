import { TupleParam } from '@clickhouse/client';
import { uuidv7HexMillis } from '@runstream/events';
import { z } from 'zod';
import { column, RowSchema } from '../columns';
import { equalityFilter } from '../filters';
import { runWrites } from '../run-writes';
import { ClickHouseStore, QueryParams } from '../store';
import { ChDateTime } from '../time';
import { finalPageSql } from './page-query';

export const RUNS_TABLE = 'runs';

/**
 * FINAL may deduplicate each partition on its own: a run's partition comes from its created_at,
 * which never changes, so all versions of a run share one. ClickHouse then skips the merge
 * step for partitions already merged to one part (measured: a project page at 1 M runs went
 * from 107 ms to 26 ms). run_daily (partitioned by the run's day) relies on the same fact.
 * On chDB a per-query setting is applied with SET and stays on the session for the queries
 * after it; this one is safe there, as every partitioned table keeps a row's versions in one
 * partition. A per-query setting that is not safe for every later query must not be used.
 */
export const FINAL_WITHIN_PARTITIONS = { do_not_merge_across_partitions_select_final: 1 } as const;

/** A row of `runs` (migration 0002), as inserted and as read back with JSONEachRow. */
export const RunRowSchema = z.object({
  org_id: column.text,
  project_id: column.text,
  id: column.text,
  job_id: column.text,
  job_name: column.text,
  cronjob_name: column.text,
  namespace: column.text,
  job_type: column.text,
  status: column.text,
  triggered_by: column.text,
  target_gateway: column.text,
  /** argv an executor runs; empty for runner-reported runs (migration 0017). Absent on insert: the default, empty. */
  command_argv: column.texts.optional(),
  /** Gateway that claimed the run; empty until claimed (migration 0003). */
  claimed_by: column.text,
  claim_id: column.text,
  start_time: column.dateTime.nullable(),
  end_time: column.dateTime.nullable(),
  duration_seconds: column.float,
  error_summary: column.text,
  /** JSON object text. */
  telemetry_summary: column.text,
  created_at: column.dateTime,
  updated_at: column.dateTime,
  event_count: column.int,
  last_event_id: column.text,
  /** Log and sample cursors (migration 0005). */
  log_generation: column.int,
  log_count: column.counter,
  sample_generation: column.int,
  sample_count: column.counter,
  kafka_partition: column.int,
  kafka_offset: column.uint64,
});
export type RunRow = z.infer<typeof RunRowSchema>;

/** `SELECT count() AS total`. */
export const TotalRowSchema = z.object({ total: column.count });

export interface RunKey {
  org_id: string;
  project_id: string;
  id: string;
}

/** Every write of `runs` goes through here, so caches of runs in this process hear of it (run-writes.ts). */
export function insertRuns(store: ClickHouseStore, rows: readonly RunRow[]): Promise<void> {
  if (rows.length === 0) return Promise.resolve();
  return runWrites.around(store.database, rows, () => store.insert(RUNS_TABLE, rows));
}

/** Latest state of the given runs; runs never materialized are simply absent. */
export async function selectRunsByKey(store: ClickHouseStore, keys: readonly RunKey[]): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  // One chunk at a time: bounded URL and memory.
  for (const chunk of store.keyChunks(keys, (k) => [k.org_id, k.project_id, k.id])) {
    rows.push(
      ...(await store.query(
        RunRowSchema,
        `SELECT * FROM {db:Identifier}.runs FINAL
         WHERE (org_id, project_id, id) IN {keys:Array(Tuple(String, String, String))}`,
        { keys: chunk.map((k) => new TupleParam([k.org_id, k.project_id, k.id])) },
        FINAL_WITHIN_PARTITIONS,
      )),
    );
  }
  return rows;
}

export interface RunFilter {
  org_id: string;
  project_id: string;
  cronjob_name?: string;
  status?: string;
  job_type?: string;
  /** Exclusive lower bound on updated_at. */
  updated_after?: ChDateTime;
}

/**
 * WHERE clause and its bound parameters for a run filter. Values never enter the SQL text.
 * With updated_after, reads keep to the monthly partitions holding a row version that passes
 * the filter (found without FINAL, so cheaply): a run passes when its latest version does, and
 * every version of a run lies in its one partition. A recent updated_after usually leaves only
 * the current month of a project's runs to deduplicate and sort.
 */
export function runFilterClause(filter: RunFilter): { where: string; params: QueryParams } {
  const { org_id, project_id, cronjob_name, status, job_type } = filter;
  const clause = equalityFilter({ org_id, project_id, cronjob_name, status, job_type }, filter.updated_after);
  if (filter.updated_after === undefined) return clause;
  const partitions = `_partition_id IN (SELECT DISTINCT _partition_id FROM {db:Identifier}.runs WHERE ${clause.where})`;
  return { where: `${clause.where} AND ${partitions}`, params: clause.params };
}

export interface Page {
  limit: number;
  offset: number;
}

/**
 * Newest first; ties on created_at broken by id so pages are stable. `createdFrom` keeps to
 * runs created at or after it: the head of that same order, so the partitions before it are
 * not read; the caller knows the page lies there when a full page comes back.
 */
export function listRuns(store: ClickHouseStore, filter: RunFilter, page: Page, createdFrom?: ChDateTime): Promise<RunRow[]> {
  const clause = runFilterClause(filter);
  const where = createdFrom === undefined ? clause.where : `${clause.where} AND created_at >= {created_from:DateTime64(3, 'UTC')}`;
  return store.query(
    RunRowSchema,
    finalPageSql('runs', where, 'created_at DESC, id DESC', 'id', page.offset),
    { ...clause.params, ...(createdFrom === undefined ? {} : { created_from: createdFrom }), limit: page.limit, offset: page.offset },
    FINAL_WITHIN_PARTITIONS,
  );
}

export async function countRuns(store: ClickHouseStore, filter: RunFilter): Promise<number> {
  const { where, params } = runFilterClause(filter);
  const [row] = await store.query(TotalRowSchema, `SELECT count() AS total FROM {db:Identifier}.runs FINAL WHERE ${where}`, params, FINAL_WITHIN_PARTITIONS);
  return row.total;
}

export const RunStatsRowSchema = z.object({
  total_runs: column.count,
  successful_runs: column.count,
  failed_runs: column.count,
  error_runs: column.count,
  avg_success_duration: column.float,
});
export type RunStatsRow = z.infer<typeof RunStatsRowSchema>;

export async function runStats(store: ClickHouseStore, filter: RunFilter): Promise<RunStatsRow> {
  const { where, params } = runFilterClause(filter);
  const [row] = await store.query(
    RunStatsRowSchema,
    `SELECT count() AS total_runs,
            countIf(status = 'success') AS successful_runs,
            countIf(status = 'failed') AS failed_runs,
            countIf(status = 'error') AS error_runs,
            avgIf(duration_seconds, status = 'success' AND duration_seconds IS NOT NULL) AS avg_success_duration
     FROM {db:Identifier}.runs FINAL WHERE ${where}`,
    params,
    FINAL_WITHIN_PARTITIONS,
  );
  return row;
}

/**
 * Run ids are `run_` and a UUIDv7 minted moments before the run's created_at (ingest, the
 * control app); a day either side covers any lag, and prunes `runs` to the one or two monthly
 * partitions that can hold the run (~10% of a point read on 10 M runs; the rest is decoding the
 * granule that holds it).
 */
const CREATED_NEAR_ID_MS = 86_400_000;

/**
 * The condition that keeps a read by id within a day of the time the id carries, with its
 * parameters; undefined for an id that carries none (not `run_` and a UUIDv7).
 */
function createdNearId(runId: string): { where: string; params: QueryParams } | undefined {
  const minted = runId.startsWith('run_') ? uuidv7HexMillis(runId.slice(4)) : undefined;
  if (minted === undefined) return undefined;
  return {
    where: "created_at BETWEEN fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND fromUnixTimestamp64Milli({to:Int64}, 'UTC')",
    params: { from: minted - CREATED_NEAR_ID_MS, to: minted + CREATED_NEAR_ID_MS },
  };
}

/** One row of a run by id within an org: first near the time its id carries, then, not found there, anywhere. */
async function findRunById<T>(store: ClickHouseStore, row: RowSchema<T>, columns: string, orgId: string, runId: string): Promise<T | undefined> {
  const byId = `SELECT ${columns} FROM {db:Identifier}.runs FINAL WHERE org_id = {org_id:String} AND id = {id:String}`;
  const near = createdNearId(runId);
  if (near !== undefined) {
    const [found] = await store.query(row, `${byId} AND ${near.where} LIMIT 1`, { org_id: orgId, id: runId, ...near.params }, FINAL_WITHIN_PARTITIONS);
    // Not there: an id of another shape that reads as a UUIDv7 (a schedule's hash), or no such run.
    if (found) return found;
  }
  const [anywhere] = await store.query(row, `${byId} LIMIT 1`, { org_id: orgId, id: runId }, FINAL_WITHIN_PARTITIONS);
  return anywhere;
}

/**
 * Whether any version of the run is in `runs` yet (no FINAL: existence only), looked for within a
 * day of the time its id carries when it has one: what a caller waiting for a run it just created polls.
 */
export async function runWritten(store: ClickHouseStore, orgId: string, runId: string): Promise<boolean> {
  const near = createdNearId(runId);
  const rows = await store.query(
    z.object({ found: column.int }),
    `SELECT 1 AS found FROM {db:Identifier}.runs WHERE org_id = {org_id:String} AND id = {id:String}${near ? ` AND ${near.where}` : ''} LIMIT 1`,
    { org_id: orgId, id: runId, ...near?.params },
  );
  return rows.length > 0;
}

const RunLocationSchema = RunRowSchema.pick({ org_id: true, project_id: true, status: true, target_gateway: true, claimed_by: true, claim_id: true });
export type RunLocation = z.infer<typeof RunLocationSchema>;

/** Where a run lives and its status, looked up by id alone (bloom-filter index on id). */
export function findRunLocation(store: ClickHouseStore, orgId: string, runId: string): Promise<RunLocation | undefined> {
  return findRunById(store, RunLocationSchema, 'org_id, project_id, status, target_gateway, claimed_by, claim_id', orgId, runId);
}

/** One run by id within an org. */
export function findRun(store: ClickHouseStore, orgId: string, runId: string): Promise<RunRow | undefined> {
  return findRunById(store, RunRowSchema, '*', orgId, runId);
}

/** Pending, unclaimed runs targeted at a gateway, oldest first (what an agent should pick up). */
export function listClaimableRuns(store: ClickHouseStore, orgId: string, gateway: string, limit: number): Promise<RunRow[]> {
  return store.query(
    RunRowSchema,
    `SELECT * FROM {db:Identifier}.runs FINAL
     WHERE org_id = {org_id:String} AND target_gateway = {gateway:String} AND status = 'pending' AND claimed_by = ''
     ORDER BY created_at, id LIMIT {limit:UInt32}`,
    { org_id: orgId, gateway, limit },
    FINAL_WITHIN_PARTITIONS,
  );
}
