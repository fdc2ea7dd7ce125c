import { isolatedEnv } from '@runstream/testing';
import { runRow } from '../../../test/support/run-rows';
import { selectExecutionChanges, selectRunChanges } from './change-feed.queries';
import { migrate } from './migrate';
import { ClickHouseStore, openClickHouse } from './store';
import { insertModelExecutions } from './tables/model-executions.table';
import { insertRuns } from './tables/runs.table';

/**
 * The change feed's reads on a real engine: slices per partition, log order, LIMIT, and each
 * execution under its run's partition, with the query app's result limit below the organisation's
 * run count (here 3 for 8 runs), which applies to the page and not to the join that finds each
 * execution's partition (ClickHouse's docs say some versions check subqueries too).
 */
describe('change feed reads: slices, order and partitions under a small max_result_rows', () => {
  const env = isolatedEnv('change-feed-queries');
  let store: ClickHouseStore;
  const RUNS = 8;

  beforeAll(async () => {
    const options = { url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' };
    const setup = openClickHouse(options);
    await migrate(setup);
    const runs = Array.from({ length: RUNS }, (_, i) => runRow({ id: `run_${i}`, kafka_partition: i % 2, kafka_offset: String(i * 10) }));
    await insertRuns(setup, runs);
    await insertModelExecutions(
      setup,
      runs.map((run, i) => ({
        org_id: run.org_id,
        project_id: run.project_id,
        model_name: `model_${i}`,
        id: `exec_${i}`,
        job_run_id: run.id,
        cronjob_name: 'nightly',
        status: 'success',
        started_at: '2026-02-26 06:00:00.000',
        completed_at: '2026-02-26 06:01:00.000',
        duration_seconds: 60,
        rows_processed: i,
        bytes_processed: null,
        interval_start: null,
        interval_end: null,
        created_at: '2026-02-26 06:00:00.000',
        updated_at: '2026-02-26 06:01:00.000',
        // Written by the event after the run's own, at offset i * 10 + 1.
        version: String((i * 10 + 1) * 10_000),
      })),
    );
    await setup.close();
    store = openClickHouse({ ...options, querySettings: { max_result_rows: '3', result_overflow_mode: 'throw' } });
  });

  afterAll(() => store?.close());

  it('pages executions and runs in log order, each execution under its run’s partition', async () => {
    const org_id = runRow({ id: 'x' }).org_id;
    const slice = { org_id, from: [0n, 0n], to: [1_000n, 1_000n], limit: 2 };
    const executions = await selectExecutionChanges(store, slice);
    expect(executions.map((row) => [row.id, row.kafka_partition, row.kafka_offset])).toEqual([
      ['exec_0', 0, '1'],
      ['exec_1', 1, '11'],
    ]);
    // Only partition 1 from offset 30 on: exec_3 (31), exec_5 (51), …
    const later = await selectExecutionChanges(store, { ...slice, from: [1_000n, 30n] });
    expect(later.map((row) => row.id)).toEqual(['exec_3', 'exec_5']);
    expect((await selectRunChanges(store, slice)).map((row) => row.id)).toEqual(['run_0', 'run_1']);
  });
});
