import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';
import { FINAL_WITHIN_PARTITIONS, RunRow } from './runs.table';

export const RUN_DAILY_TABLE = 'run_daily';

/** A row of `run_daily` (migration 0014): the daily-stats projection of one run. */
export interface RunDailyRow {
  org_id: string;
  project_id: string;
  /** YYYY-MM-DD, UTC date of the run's created_at. */
  day: string;
  cronjob_name: string;
  run_id: string;
  status: string;
  duration_seconds: number | null;
  version: string;
}

export function toRunDailyRow(run: RunRow): RunDailyRow {
  return {
    org_id: run.org_id,
    project_id: run.project_id,
    day: run.created_at.slice(0, 10),
    cronjob_name: run.cronjob_name,
    run_id: run.id,
    status: run.status,
    duration_seconds: run.duration_seconds,
    version: String(run.kafka_offset),
  };
}

export function insertRunDaily(store: ClickHouseStore, rows: readonly RunDailyRow[]): Promise<void> {
  return store.insert(RUN_DAILY_TABLE, rows);
}

/** One day's runs under a filter, counted from run_daily's own columns. */
export interface RunDay {
  /** YYYY-MM-DD */
  day: string;
  runs: number;
  successful: number;
  failed: number;
  errors: number;
  /** Successful runs with a duration, and the sum of their durations. */
  timedSuccesses: number;
  successSeconds: number;
}

const RunDayRowSchema = z.object({
  day: column.date,
  runs: column.count,
  successful: column.count,
  failed: column.count,
  errors: column.count,
  timed_successes: column.count,
  /** sumIf() of a Nullable column: null on a day without a timed success. */
  success_seconds: column.float,
});

export type RunDayFilter = { org_id: string; project_id: string; cronjob_name?: string; status?: string };

const RUN_DAYS_WHERE = `FROM {db:Identifier}.run_daily FINAL
     WHERE org_id = {org_id:String} AND project_id = {project_id:String}
       AND ({cronjob_name:Nullable(String)} IS NULL OR cronjob_name = {cronjob_name:Nullable(String)})
       AND ({status:Nullable(String)} IS NULL OR status = {status:Nullable(String)})`;

function runDaysParams(filter: RunDayFilter) {
  return { org_id: filter.org_id, project_id: filter.project_id, cronjob_name: filter.cronjob_name ?? null, status: filter.status ?? null };
}

/**
 * A project's runs per day, newest day first, under the filters run_daily carries (a run's
 * cronjob and current status): where in time the runs page's rows lie, and its stats.
 */
export async function selectRunDays(store: ClickHouseStore, filter: RunDayFilter): Promise<RunDay[]> {
  const rows = await store.query(
    RunDayRowSchema,
    `SELECT toString(day) AS day, count() AS runs,
            countIf(status = 'success') AS successful,
            countIf(status = 'failed') AS failed,
            countIf(status = 'error') AS errors,
            countIf(status = 'success' AND duration_seconds IS NOT NULL) AS timed_successes,
            sumIf(duration_seconds, status = 'success' AND duration_seconds IS NOT NULL) AS success_seconds
     ${RUN_DAYS_WHERE}
     GROUP BY day ORDER BY day DESC`,
    runDaysParams(filter),
    FINAL_WITHIN_PARTITIONS,
  );
  return rows.map(({ timed_successes, success_seconds, ...counts }) => ({ ...counts, timedSuccesses: timed_successes, successSeconds: success_seconds ?? 0 }));
}

const RunDayCountRowSchema = z.object({ day: column.date, runs: column.count });
export type RunDayCount = z.infer<typeof RunDayCountRowSchema>;

/** The runs per day alone, for a page asked without stats: statuses and durations are not read (unless filtered on). */
export function selectRunDayCounts(store: ClickHouseStore, filter: RunDayFilter): Promise<RunDayCount[]> {
  return store.query(
    RunDayCountRowSchema,
    `SELECT toString(day) AS day, count() AS runs ${RUN_DAYS_WHERE} GROUP BY day ORDER BY day DESC`,
    runDaysParams(filter),
    FINAL_WITHIN_PARTITIONS,
  );
}

const DailyRunStatsRowSchema = z.object({
  date: column.date,
  total_runs: column.count,
  success_count: column.count,
  partial_count: column.count,
  failed_count: column.count,
  other_count: column.count,
  avg_duration_seconds: column.float,
  p95_duration_seconds: column.float,
  max_duration_seconds: column.float,
});
export type DailyRunStatsRow = z.infer<typeof DailyRunStatsRowSchema>;

/**
 * Per-day run stats over [from, to] (dates, inclusive), optionally one cronjob; days without
 * runs are absent. p95 is exact (percentile_cont semantics).
 */
export function selectDailyRunStats(
  store: ClickHouseStore,
  filter: { org_id: string; project_id: string; from: string; to: string; cronjob_name?: string },
): Promise<DailyRunStatsRow[]> {
  return store.query(
    DailyRunStatsRowSchema,
    `SELECT toString(day) AS date,
            count() AS total_runs,
            countIf(status = 'success') AS success_count,
            countIf(status = 'partial') AS partial_count,
            countIf(status = 'failed') AS failed_count,
            countIf(status NOT IN ('success', 'partial', 'failed')) AS other_count,
            avg(duration_seconds) AS avg_duration_seconds,
            quantileExactInclusive(0.95)(duration_seconds) AS p95_duration_seconds,
            max(duration_seconds) AS max_duration_seconds
     FROM {db:Identifier}.run_daily FINAL
     WHERE org_id = {org_id:String} AND project_id = {project_id:String}
       AND day BETWEEN {from:Date} AND {to:Date}
       AND ({cronjob_name:Nullable(String)} IS NULL OR cronjob_name = {cronjob_name:Nullable(String)})
     GROUP BY day ORDER BY day`,
    { org_id: filter.org_id, project_id: filter.project_id, from: filter.from, to: filter.to, cronjob_name: filter.cronjob_name ?? null },
    FINAL_WITHIN_PARTITIONS,
  );
}
