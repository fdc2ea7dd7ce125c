import type { ModelStats } from '../api/types';
import { compareWindows, sortModels } from './model-compare';

function stats(model_name: string, p95: number | null, rows = 0): ModelStats {
  return {
    model_name,
    total_executions: 1,
    successful_executions: 1,
    failed_executions: 0,
    p50_duration_seconds: p95,
    p95_duration_seconds: p95,
    min_duration_seconds: p95,
    max_duration_seconds: p95,
    total_rows_processed: rows,
    total_bytes_processed: 0,
    last_execution_time: null,
  };
}

describe('model window comparison (web app health page)', () => {
  it('flags a p95 more than 20 % above the previous window, and only models with a non-zero p95 in both', () => {
    const rows = compareWindows(
      [stats('slow', 13), stats('same', 10), stats('edge', 12), stats('new', 50), stats('zero', 5)],
      [stats('slow', 10), stats('same', 10), stats('edge', 10), stats('zero', 0)],
    );
    const byName = Object.fromEntries(rows.map((row) => [row.model_name, row]));
    expect(byName.slow).toMatchObject({ previous_p95: 10, regression: true });
    expect(byName.slow.change).toBeCloseTo(0.3);
    expect(byName.edge).toMatchObject({ regression: false });
    expect(byName.edge.change).toBeCloseTo(0.2);
    expect(byName.same).toMatchObject({ change: 0, regression: false });
    expect(byName.new).toMatchObject({ previous_p95: null, change: null, regression: false });
    expect(byName.zero).toMatchObject({ change: null, regression: false });
  });

  it('sorts either way with missing values last and ties by name', () => {
    const rows = compareWindows([stats('b', 2), stats('a', 2), stats('c', null), stats('d', 9)], []);
    expect(sortModels(rows, 'p95_duration_seconds', true).map((row) => row.model_name)).toEqual(['d', 'a', 'b', 'c']);
    expect(sortModels(rows, 'p95_duration_seconds', false).map((row) => row.model_name)).toEqual(['a', 'b', 'd', 'c']);
    expect(sortModels(rows, 'model_name', true).map((row) => row.model_name)).toEqual(['d', 'c', 'b', 'a']);
  });
});
