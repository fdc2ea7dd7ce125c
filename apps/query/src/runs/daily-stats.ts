import { DailyRunStatsRow } from '@runstream/clickhouse';
import { roundSeconds } from './run.response';

export interface DailyStats {
  date: string;
  cronjob_name?: string;
  total_runs: number;
  success_count: number;
  partial_count: number;
  failed_count: number;
  other_count: number;
  avg_duration_seconds: number | null;
  p95_duration_seconds: number | null;
  max_duration_seconds: number | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The `days` UTC dates ending today, oldest first. */
export function dateWindow(days: number, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** One entry per day of the window; days without runs count zero with null durations. */
export function fillDailyStats(window: string[], rows: DailyRunStatsRow[], cronjobName?: string): DailyStats[] {
  const byDay = new Map(rows.map((row) => [row.date, row]));
  return window.map((date) => {
    const row = byDay.get(date);
    const stats: DailyStats = {
      date,
      total_runs: Number(row?.total_runs ?? 0),
      success_count: Number(row?.success_count ?? 0),
      partial_count: Number(row?.partial_count ?? 0),
      failed_count: Number(row?.failed_count ?? 0),
      other_count: Number(row?.other_count ?? 0),
      avg_duration_seconds: roundSeconds(finite(row?.avg_duration_seconds)),
      p95_duration_seconds: roundSeconds(finite(row?.p95_duration_seconds)),
      max_duration_seconds: roundSeconds(finite(row?.max_duration_seconds)),
    };
    return cronjobName === undefined ? stats : { date, cronjob_name: cronjobName, ...withoutDate(stats) };
  });
}

function withoutDate(stats: DailyStats): Omit<DailyStats, 'date'> {
  const { date: _date, ...rest } = stats;
  return rest;
}

/** ClickHouse answers nan for an average over no values. */
export function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
