import { TupleParam } from '@clickhouse/client';
import { z } from 'zod';
import { column } from '../columns';
import { equalityFilter } from '../filters';
import { ClickHouseStore, QueryParams } from '../store';
import { ChDateTime, toChDateTime } from '../time';
import { latestExecutionsPage } from './execution-page';
import { finalPageSql } from './page-query';
import { Page, TotalRowSchema } from './runs.table';

export const MODEL_EXECUTIONS_TABLE = 'model_executions';

/** A row of `model_executions` (migration 0008). */
export const ModelExecutionRowSchema = z.object({
  org_id: column.text,
  project_id: column.text,
  model_name: column.text,
  id: column.text,
  job_run_id: column.text,
  cronjob_name: column.text,
  status: column.text,
  started_at: column.dateTime,
  completed_at: column.dateTime.nullable(),
  duration_seconds: column.float,
  rows_processed: column.counter.nullable(),
  bytes_processed: column.counter.nullable(),
  interval_start: column.dateTime.nullable(),
  interval_end: column.dateTime.nullable(),
  created_at: column.dateTime,
  updated_at: column.dateTime,
  /** The writing event's offset × 10000 + its index (the materializer's fold): decimal text, exact. */
  version: column.uint64,
});
export type ModelExecutionRow = z.infer<typeof ModelExecutionRowSchema>;

const ModelExecutionKeySchema = ModelExecutionRowSchema.pick({ org_id: true, project_id: true, model_name: true, id: true });
export type ModelExecutionKey = z.infer<typeof ModelExecutionKeySchema>;

export function insertModelExecutions(store: ClickHouseStore, rows: readonly ModelExecutionRow[]): Promise<void> {
  return store.insert(MODEL_EXECUTIONS_TABLE, rows);
}

/** created_at of executions already stored, so a re-report keeps when it was first seen. */
export async function selectExecutionCreatedAt(store: ClickHouseStore, keys: readonly ModelExecutionKey[]): Promise<Map<string, ChDateTime>> {
  const createdAt = new Map<string, ChDateTime>();
  for (const chunk of store.keyChunks(keys, (k) => [k.org_id, k.project_id, k.model_name, k.id])) {
    const rows = await store.query(
      ModelExecutionKeySchema.extend({ created_at: column.dateTime }),
      `SELECT org_id, project_id, model_name, id, created_at FROM {db:Identifier}.model_executions FINAL
       WHERE (org_id, project_id, model_name, id) IN {keys:Array(Tuple(String, String, String, String))}`,
      { keys: chunk.map((k) => new TupleParam([k.org_id, k.project_id, k.model_name, k.id])) },
    );
    for (const row of rows) createdAt.set(executionKey(row), row.created_at);
  }
  return createdAt;
}

export function executionKey(key: ModelExecutionKey): string {
  return `${key.org_id}\u0000${key.project_id}\u0000${key.model_name}\u0000${key.id}`;
}

export interface ExecutionFilter {
  org_id: string;
  project_id: string;
  model_name?: string;
  cronjob_name?: string;
  /** One run's executions. */
  job_run_id?: string;
  /** Exclusive lower bound on updated_at. */
  updated_after?: ChDateTime;
}

function executionFilterClause(filter: ExecutionFilter): { where: string; params: QueryParams } {
  const { org_id, project_id, model_name, cronjob_name, job_run_id } = filter;
  return equalityFilter({ org_id, project_id, model_name, cronjob_name, job_run_id }, filter.updated_after);
}

/**
 * Row versions a page reads at first: twice the page's end, since a recently reported execution
 * often has two versions not merged yet (running, then done), and a little more for ties.
 */
function firstScan(page: Page): number {
  return 2 * (page.offset + page.limit) + 64;
}

/** Past this many row versions, a page is deduplicated by FINAL instead (a deep page). */
export const MAX_EXECUTION_SCAN = 20_000;

/** The most row versions one read may return: MAX_EXECUTION_SCAN, or the store's max_result_rows if lower (it throws past it). */
function scanCap(store: ClickHouseStore): number {
  const resultRows = Number(store.querySettings.max_result_rows ?? 0);
  return resultRows > 0 ? Math.min(MAX_EXECUTION_SCAN, resultRows) : MAX_EXECUTION_SCAN;
}

/** How many row versions each read of a page asks for: 4× the last each time, up to `cap`, none smaller than the page's end. */
function scanSizes(page: Page, cap: number): number[] {
  const sizes: number[] = [];
  for (let scan = Math.min(firstScan(page), cap); scan >= page.offset + page.limit; scan = Math.min(4 * scan, cap)) {
    sizes.push(scan);
    if (scan === cap) break;
  }
  return sizes;
}

/**
 * Older ClickHouse servers pick a projection only when it reads fewer marks than the table, and a
 * project's rows are as many marks in both (chDB's 26.7 picks it for the read in order); named,
 * it is used wherever it can serve.
 */
const BY_CREATED = { preferred_optimize_projection_name: 'executions_by_created' } as const;

/** The page from the newest row versions created at or after `from` (all without it); undefined when they do not hold it. */
async function readNewestVersions(
  store: ClickHouseStore,
  clause: { where: string; params: QueryParams },
  page: Page,
  from?: ChDateTime,
): Promise<ModelExecutionRow[] | undefined> {
  const window = from === undefined ? '' : " AND created_at >= {from:DateTime64(3, 'UTC')}";
  for (const scan of scanSizes(page, scanCap(store))) {
    const versions = await store.query(
      ModelExecutionRowSchema,
      `SELECT * FROM {db:Identifier}.model_executions WHERE ${clause.where}${window} ORDER BY created_at DESC LIMIT {scan:UInt32}`,
      { ...clause.params, ...(from === undefined ? {} : { from }), scan },
      BY_CREATED,
    );
    if (versions.length === scan) {
      const rows = latestExecutionsPage(versions, 'cut', page);
      if (rows !== undefined) return rows;
    } else {
      return latestExecutionsPage(versions, from === undefined ? 'all' : 'window', page);
    }
  }
  return undefined;
}

/**
 * With a model filter, the table's own order finds the model's executions in fewer granules than
 * the projection would read, so ClickHouse sorts all of them (~29 ms for a model of 500 k). A
 * window on created_at narrows the projection's read below that, and a window cuts no execution
 * (its versions share one created_at): the last week is read first when the model holds more than
 * this many executions per row version the page reads.
 */
const WINDOW_ABOVE_SCAN_RATIO = 20;
const RECENT_WINDOW_MS = 7 * 86_400_000;

/**
 * Newest reported (created_at) first, then newest started, then id, then model: an execution
 * keeps its place when it is reported again. Without cronjob_name, job_run_id and updated_after, the page is
 * read without FINAL from the `executions_by_created` projection (migration 0028): the newest row
 * versions by created_at, read in order and stopping early, the rest of their columns read only
 * for those rows, then deduplicated here (execution-page.ts). That filter and a deep page
 * deduplicate with FINAL, which sorts every execution of the project (cronjob_name is the parent
 * run's, and only FINAL filters on the latest version's); from KEYS_FIRST_FROM_OFFSET on, that
 * sort carries only the order and key columns. `total`, the filter's count, tells
 * whether a model's page reads the last week first.
 */
export async function listModelExecutions(store: ClickHouseStore, filter: ExecutionFilter, page: Page, total?: number): Promise<ModelExecutionRow[]> {
  const { where, params } = executionFilterClause(filter);
  if (filter.cronjob_name === undefined && filter.job_run_id === undefined && filter.updated_after === undefined) {
    const windowed = filter.model_name !== undefined && total !== undefined && total > WINDOW_ABOVE_SCAN_RATIO * firstScan(page);
    const starts = windowed ? [toChDateTime(new Date(Date.now() - RECENT_WINDOW_MS)), undefined] : [undefined];
    for (const from of starts) {
      const rows = await readNewestVersions(store, { where, params }, page, from);
      if (rows !== undefined) return rows;
    }
  }
  const order = 'created_at DESC, started_at DESC, id DESC, model_name DESC';
  return store.query(ModelExecutionRowSchema, finalPageSql('model_executions', where, order, '(model_name, id)', page.offset), {
    ...params,
    limit: page.limit,
    offset: page.offset,
  });
}

export async function countModelExecutions(store: ClickHouseStore, filter: ExecutionFilter): Promise<number> {
  const { where, params } = executionFilterClause(filter);
  const [row] = await store.query(TotalRowSchema, `SELECT count() AS total FROM {db:Identifier}.model_executions FINAL WHERE ${where}`, params);
  return row.total;
}

const ModelStatsRowSchema = z.object({
  model_name: column.text,
  total_executions: column.count,
  successful_executions: column.count,
  failed_executions: column.count,
  avg_duration_seconds: column.float,
  p50_duration_seconds: column.float,
  p95_duration_seconds: column.float,
  max_duration_seconds: column.float,
  min_duration_seconds: column.float,
  /** sum() of a Nullable column: null when every execution left it out. */
  total_rows_processed: column.count.nullable(),
  avg_rows_processed: column.float,
  total_bytes_processed: column.count.nullable(),
  avg_bytes_processed: column.float,
  last_execution_time: column.dateTime.nullable(),
});
export type ModelStatsRow = z.infer<typeof ModelStatsRowSchema>;

/**
 * Per-model stats, optionally for one model and for executions started within [from, to]
 * (dates, inclusive). Percentiles are exact (percentile_cont semantics), both from one sort of
 * the durations; failed counts failed and error; last_execution_time is the latest completion
 * (or start).
 */
export function selectModelStats(
  store: ClickHouseStore,
  filter: { org_id: string; project_id: string; model_name?: string; from?: string; to?: string },
): Promise<ModelStatsRow[]> {
  return store.query(
    ModelStatsRowSchema,
    `SELECT model_name,
            count() AS total_executions,
            countIf(status = 'success') AS successful_executions,
            countIf(status IN ('failed', 'error')) AS failed_executions,
            avg(duration_seconds) AS avg_duration_seconds,
            quantilesExactInclusive(0.5, 0.95)(duration_seconds) AS duration_quantiles,
            duration_quantiles[1] AS p50_duration_seconds,
            duration_quantiles[2] AS p95_duration_seconds,
            max(duration_seconds) AS max_duration_seconds,
            min(duration_seconds) AS min_duration_seconds,
            sum(rows_processed) AS total_rows_processed,
            avg(rows_processed) AS avg_rows_processed,
            sum(bytes_processed) AS total_bytes_processed,
            avg(bytes_processed) AS avg_bytes_processed,
            max(coalesce(completed_at, started_at)) AS last_execution_time
     FROM {db:Identifier}.model_executions FINAL
     WHERE org_id = {org_id:String} AND project_id = {project_id:String}
       AND ({model_name:Nullable(String)} IS NULL OR model_name = {model_name:Nullable(String)})
       AND ({from:Nullable(Date)} IS NULL OR toDate(started_at) >= {from:Nullable(Date)})
       AND ({to:Nullable(Date)} IS NULL OR toDate(started_at) <= {to:Nullable(Date)})
     GROUP BY model_name ORDER BY model_name`,
    { org_id: filter.org_id, project_id: filter.project_id, model_name: filter.model_name ?? null, from: filter.from ?? null, to: filter.to ?? null },
  );
}
