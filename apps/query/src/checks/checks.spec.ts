import { DailyStats } from '../runs/daily-stats';
import { ModelStats } from '../executions/execution.response';
import { modelRegressions, slaBreaches } from './checks';

const day = (date: string, p95: number | null): DailyStats => ({
  date,
  total_runs: p95 === null ? 0 : 4,
  success_count: 4,
  partial_count: 0,
  failed_count: 0,
  other_count: 0,
  avg_duration_seconds: p95,
  p95_duration_seconds: p95,
  max_duration_seconds: p95 === null ? null : p95 + 1,
});
const model = (model_name: string, p95: number | null) => ({ model_name, p95_duration_seconds: p95 }) as ModelStats;

describe('checks', () => {
  it('reports days whose p95 is strictly above the threshold, skipping days without runs', () => {
    const breaches = slaBreaches([day('2026-02-01', 100), day('2026-02-02', null), day('2026-02-03', 100.001), day('2026-02-04', 500)], 100);
    expect(breaches).toEqual([
      { date: '2026-02-03', p95_duration_seconds: 100.001, max_duration_seconds: 101.001, total_runs: 4 },
      { date: '2026-02-04', p95_duration_seconds: 500, max_duration_seconds: 501, total_runs: 4 },
    ]);
  });

  it('reports models in both windows with non-zero p95s whose change is above the threshold, largest first', () => {
    const current = [model('a', 130), model('b', 120.1), model('c', 300), model('d', 50), model('e', 10), model('f', null)];
    const previous = [model('a', 100), model('b', 100), model('c', 100), model('e', 0), model('f', 10), model('g', 1)];
    expect(modelRegressions(current, previous, 0.2)).toEqual([
      { model_name: 'c', previous_p95_seconds: 100, current_p95_seconds: 300, change_percent: 200 },
      { model_name: 'a', previous_p95_seconds: 100, current_p95_seconds: 130, change_percent: 30 },
      { model_name: 'b', previous_p95_seconds: 100, current_p95_seconds: 120.1, change_percent: 20.1 },
    ]);
    expect(modelRegressions(current, previous, 0.3).map((r) => r.model_name)).toEqual(['c']);
  });
});
