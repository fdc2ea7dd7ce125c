import { isolatedEnv } from '@runstream/testing';
import { runRow } from '../../../../test/support/run-rows';
import { migrate } from '../migrate';
import { ClickHouseStore, openClickHouse } from '../store';
import { insertModelExecutions, selectModelStats } from './model-executions.table';
import { insertRunDaily, selectDailyRunStats, selectRunDays, toRunDailyRow } from './run-daily.table';
import { insertRuns, runStats } from './runs.table';
import { selectOrgRunGroups } from './org-run-stats.queries';

/**
 * Aggregates over Nullable columns answer NULL when every value is NULL (sum, sumIf, avg, max):
 * each named aggregate's row schema must take that, on a project whose runs have no durations and
 * whose executions report no rows or bytes.
 */
describe('aggregates over nothing measured', () => {
  const env = isolatedEnv('aggregates');
  let store: ClickHouseStore;
  const filter = { org_id: 'org1', project_id: 'p1' };

  beforeAll(async () => {
    store = openClickHouse({ url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' });
    await migrate(store);
    const runs = [runRow({ id: 'run_a' }), runRow({ id: 'run_b', status: 'success', kafka_offset: '1' })];
    await insertRuns(store, runs);
    await insertRunDaily(store, runs.map(toRunDailyRow));
    await insertModelExecutions(store, [
      {
        ...filter,
        model_name: 'orders',
        id: 'exec_1',
        job_run_id: 'run_a',
        cronjob_name: 'nightly',
        status: 'running',
        started_at: '2026-02-26 06:00:00.000',
        completed_at: null,
        duration_seconds: null,
        rows_processed: null,
        bytes_processed: null,
        interval_start: null,
        interval_end: null,
        created_at: '2026-02-26 06:00:00.000',
        updated_at: '2026-02-26 06:00:00.000',
        version: '1',
      },
    ]);
  });

  afterAll(() => store.close());

  it('model stats: no rows or bytes reported, no duration', async () => {
    const [stats] = await selectModelStats(store, filter);
    expect(stats).toMatchObject({
      model_name: 'orders',
      total_executions: 1,
      total_rows_processed: null,
      total_bytes_processed: null,
      avg_duration_seconds: null,
    });
  });

  it('run days and daily stats: a success without a duration', async () => {
    expect(await selectRunDays(store, filter)).toEqual([
      { day: '2026-02-26', runs: 2, successful: 1, failed: 0, errors: 0, timedSuccesses: 0, successSeconds: 0 },
    ]);
    const [day] = await selectDailyRunStats(store, { ...filter, from: '2026-02-26', to: '2026-02-26' });
    expect(day).toMatchObject({ date: '2026-02-26', total_runs: 2, success_count: 1, avg_duration_seconds: null, p95_duration_seconds: null });
  });

  it('run stats and org groups', async () => {
    expect(await runStats(store, filter)).toEqual({ total_runs: 2, successful_runs: 1, failed_runs: 0, error_runs: 0, avg_success_duration: null });
    const groups = await selectOrgRunGroups(store, 'org1', '2026-02-26 00:00:00.000', '2026-02-27 00:00:00.000', 'daily');
    expect(groups).toHaveLength(2);
    expect(groups.every((group) => group.duration_sum === 0 && group.duration_count === 0)).toBe(true);
  });
});
