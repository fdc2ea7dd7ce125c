import { RunDay, RunFilter } from '@runstream/clickhouse';
import { roundSeconds, RunStats } from './run.response';

/** Filters run_daily carries too (a run's cronjob and current status), so it can count their runs per day. */
export function countedPerDay(filter: RunFilter): boolean {
  return filter.job_type === undefined && filter.updated_after === undefined;
}

/**
 * The newest day whose runs, with every later day's, number at least `needed` (days newest
 * first): a page ending at run `needed` then lies entirely in runs created on or after it,
 * since the page order is created_at descending. Undefined when it reaches past the oldest day.
 */
export function firstDayHolding(days: readonly Pick<RunDay, 'day' | 'runs'>[], needed: number): string | undefined {
  let runs = 0;
  for (const day of days) {
    runs += day.runs;
    if (runs >= needed) return day.day;
  }
  return undefined;
}

/** The runs list's stats, summed over the days run_daily counted. */
export function statsOfDays(projectId: string, days: readonly RunDay[]): RunStats {
  const sum = (field: keyof Omit<RunDay, 'day'>) => days.reduce((total, day) => total + day[field], 0);
  const timed = sum('timedSuccesses');
  return {
    project_id: projectId,
    total_runs: sum('runs'),
    successful_runs: sum('successful'),
    failed_runs: sum('failed'),
    error_runs: sum('errors'),
    avg_success_duration: timed === 0 ? null : roundSeconds(sum('successSeconds') / timed),
  };
}
