import type { ModelStats } from '../api/types';

/** A change of p95 above this fraction is a regression (client-recipes "Model regression check"). */
export const REGRESSION_THRESHOLD = 0.2;

export interface ModelRow extends ModelStats {
  /** p95 of the previous window, when the model ran then. */
  previous_p95: number | null;
  /** (current p95 − previous p95) / previous p95, when both are non-zero. */
  change: number | null;
  regression: boolean;
}

/** The current window's models, each with its p95 change against the previous window. */
export function compareWindows(current: ModelStats[], previous: ModelStats[], threshold = REGRESSION_THRESHOLD): ModelRow[] {
  const before = new Map(previous.map((stats) => [stats.model_name, stats]));
  return current.map((stats) => {
    const previousP95 = before.get(stats.model_name)?.p95_duration_seconds ?? null;
    const change = previousP95 && stats.p95_duration_seconds ? (stats.p95_duration_seconds - previousP95) / previousP95 : null;
    return { ...stats, previous_p95: previousP95, change, regression: change !== null && change > threshold };
  });
}

export type SortKey =
  | 'model_name'
  | 'total_executions'
  | 'p50_duration_seconds'
  | 'p95_duration_seconds'
  | 'min_duration_seconds'
  | 'max_duration_seconds'
  | 'total_rows_processed'
  | 'total_bytes_processed'
  | 'change';
export const SORT_KEYS: SortKey[] = [
  'model_name',
  'total_executions',
  'p50_duration_seconds',
  'p95_duration_seconds',
  'min_duration_seconds',
  'max_duration_seconds',
  'total_rows_processed',
  'total_bytes_processed',
  'change',
];

/** Sorted by one column; missing values last in either direction, ties by model name. */
export function sortModels(rows: ModelRow[], key: SortKey, descending: boolean): ModelRow[] {
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null && y !== null) return 1;
    if (y === null && x !== null) return -1;
    const order = x === null || y === null ? 0 : typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
    return (descending ? -order : order) || a.model_name.localeCompare(b.model_name);
  });
}
