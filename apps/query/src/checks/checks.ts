import { DailyStats } from '../runs/daily-stats';
import { ModelStats } from '../executions/execution.response';

export interface SlaBreach {
  date: string;
  p95_duration_seconds: number;
  max_duration_seconds: number | null;
  total_runs: number;
}

export interface SlaReport {
  threshold_seconds: number;
  days: number;
  breaches: SlaBreach[];
  total: number;
}

export interface ModelRegression {
  model_name: string;
  previous_p95_seconds: number;
  current_p95_seconds: number;
  /** (current − previous) / previous × 100, rounded to one decimal. */
  change_percent: number;
}

export interface RegressionReport {
  min_change: number;
  regressions: ModelRegression[];
  total: number;
}

/** The client recipes' SLA check: days whose p95 is present and above the threshold, oldest first. */
export function slaBreaches(daily: DailyStats[], thresholdSeconds: number): SlaBreach[] {
  return daily.flatMap((day) =>
    day.p95_duration_seconds !== null && day.p95_duration_seconds > thresholdSeconds
      ? [{ date: day.date, p95_duration_seconds: day.p95_duration_seconds, max_duration_seconds: day.max_duration_seconds, total_runs: day.total_runs }]
      : [],
  );
}

/**
 * The client recipes' regression check: models in both windows with a non-zero p95 in both,
 * change above minChange, largest change first (ties by model name, so the order is stable).
 */
export function modelRegressions(current: ModelStats[], previous: ModelStats[], minChange: number): ModelRegression[] {
  const before = new Map(previous.map((s) => [s.model_name, s.p95_duration_seconds]));
  const found: (ModelRegression & { change: number })[] = [];
  for (const stats of current) {
    const now = stats.p95_duration_seconds;
    const then = before.get(stats.model_name);
    if (!now || !then) continue;
    const change = (now - then) / then;
    if (change > minChange) {
      found.push({
        model_name: stats.model_name,
        previous_p95_seconds: then,
        current_p95_seconds: now,
        change_percent: Math.round(change * 1000) / 10,
        change,
      });
    }
  }
  found.sort((a, b) => b.change - a.change || a.model_name.localeCompare(b.model_name));
  return found.map(({ change: _change, ...regression }) => regression);
}
