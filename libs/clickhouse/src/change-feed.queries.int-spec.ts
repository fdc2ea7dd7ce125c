import { isolatedEnv } from '@runstream/testing';
import { runRow } from '../../../test/support/run-rows';
import { LogSlice, planSliceRead, selectExecutionChanges, selectRunChanges, SliceRead } from './change-feed.queries';
import { migrate } from './migrate';
import { ClickHouseStore, openClickHouse } from './store';
import { insertModelExecutions, ModelExecutionRow } from './tables/model-executions.table';
import { insertRunEvents } from './tables/run-events.table';
import { insertRuns, RunRow } from './tables/runs.table';

const AT = '2026-02-26 06:00:00.000';

function execution(run: RunRow, model_name: string, id: string, offset: number, index = 0, status = 'success'): ModelExecutionRow {
  return {
    org_id: run.org_id,
    project_id: run.project_id,
    model_name,
    id,
    job_run_id: run.id,
    cronjob_name: 'nightly',
    status,
    started_at: AT,
    completed_at: AT,
    duration_seconds: 60,
    rows_processed: offset,
    bytes_processed: null,
    interval_start: null,
    interval_end: null,
    created_at: AT,
    updated_at: AT,
    version: String(offset * 10_000 + index),
  };
}

/** The audit rows of the events that wrote these rows, as the materializer writes them beside the rows. */
function eventsOf(rows: { run: RunRow; offset: number }[]) {
  return rows.map(({ run, offset }) => ({
    event_id: `00000000-0000-7000-8000-${String(run.kafka_partition).padStart(4, '0')}${String(offset).padStart(8, '0')}`,
    type: 'run.patched',
    schema_version: 1,
    org_id: run.org_id,
    project_id: run.project_id,
    run_id: run.id,
    occurred_at: AT,
    actor: 'test',
    payload: '{}',
    kafka_partition: run.kafka_partition,
    kafka_offset: String(offset),
  }));
}

const HISTORY: SliceRead = { kind: 'history' };

/**
 * The change feed's reads on a real engine: slices per partition, log order, LIMIT, and each
 * execution under its run's partition, with the query app's result limit below the organisation's
 * run count (here 3 for 8 runs), which applies to the page and not to the subqueries that find
 * rows and partitions (ClickHouse's docs say some versions check subqueries too). A slice with few
 * of the organisation's events is read from its own rows, another from its history: one answer.
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
    // Each run's executions are written by the event after the run's own, at offset i * 10 + 1.
    await insertModelExecutions(
      setup,
      runs.map((run, i) => execution(run, `model_${i}`, `exec_${i}`, i * 10 + 1)),
    );
    await insertRunEvents(setup, eventsOf(runs.flatMap((run, i) => [i * 10, i * 10 + 1].map((offset) => ({ run, offset })))));

    // Another organisation, unmerged row versions: run A (partition 0) written at 100, 130 and 170, run B (partition 1)
    // at 105 and 200, run C (partition 0) at 140; executions X of A at 101 and 131, Y of A at 102, Z of B at 106 and 201.
    const a = (offset: number, status: string) => runRow({ org_id: 'org2', id: 'run_a', kafka_partition: 0, kafka_offset: String(offset), status });
    const b = (offset: number, status: string) => runRow({ org_id: 'org2', id: 'run_b', kafka_partition: 1, kafka_offset: String(offset), status });
    const c = runRow({ org_id: 'org2', id: 'run_c', kafka_partition: 0, kafka_offset: '140' });
    for (const version of [a(100, 'pending'), a(130, 'running'), b(105, 'running'), c, a(170, 'success'), b(200, 'failed')]) {
      await insertRuns(setup, [version]);
    }
    for (const version of [
      execution(a(0, ''), 'm1', 'x', 101, 0, 'running'),
      execution(a(0, ''), 'm1', 'y', 102, 1),
      execution(b(0, ''), 'm2', 'z', 106, 0, 'running'),
      execution(a(0, ''), 'm1', 'x', 131),
      execution(b(0, ''), 'm2', 'z', 201, 0, 'failed'),
    ]) {
      await insertModelExecutions(setup, [version]);
    }
    await insertRunEvents(
      setup,
      eventsOf([
        ...[100, 101, 102, 130, 131, 170].map((offset) => ({ run: a(offset, ''), offset })),
        ...[105, 106, 200, 201].map((offset) => ({ run: b(offset, ''), offset })),
        { run: c, offset: 140 },
      ]),
    );
    await setup.close();
    store = openClickHouse({ ...options, querySettings: { max_result_rows: '3', result_overflow_mode: 'throw' } });
  });

  afterAll(() => store?.close());

  it('pages executions and runs in log order, each execution under its run’s partition', async () => {
    const org_id = runRow({ id: 'x' }).org_id;
    const slice = { org_id, from: [0n, 0n], to: [1_000n, 1_000n], limit: 2 };
    const later = { ...slice, from: [1_000n, 30n] };
    expect(await planSliceRead(store, slice)).toEqual({ kind: 'own-rows', since: 0n });
    expect(await planSliceRead(store, later)).toEqual({ kind: 'own-rows', since: 30n });
    for (const read of [undefined, HISTORY]) {
      const executions = await selectExecutionChanges(store, slice, read ?? (await planSliceRead(store, slice)));
      expect(executions.map((row) => [row.id, row.kafka_partition, row.kafka_offset])).toEqual([
        ['exec_0', 0, '1'],
        ['exec_1', 1, '11'],
      ]);
      // Only partition 1 from offset 30 on: exec_3 (31), exec_5 (51), …
      const fromThirty = await selectExecutionChanges(store, later, read ?? (await planSliceRead(store, later)));
      expect(fromThirty.map((row) => row.id)).toEqual(['exec_3', 'exec_5']);
      expect((await selectRunChanges(store, slice, read ?? (await planSliceRead(store, slice)))).map((row) => row.id)).toEqual(['run_0', 'run_1']);
    }
  });

  it("plans no read for a slice without the scope's events, and the history reads past the event bound", async () => {
    const org2 = (from: bigint[], to: bigint[]): LogSlice => ({ org_id: 'org2', from, to, limit: 100 });
    // org2's events lie at 100-170 on partition 0 and 105-201 on partition 1; org1's elsewhere.
    expect(await planSliceRead(store, org2([171n, 202n], [1_000n, 1_000n]))).toEqual({ kind: 'none' });
    // A slice holding no position at all (a caught-up follower's poll).
    expect(await planSliceRead(store, org2([160n, 201n], [160n, 201n]))).toEqual({ kind: 'none' });
    expect(await planSliceRead(store, { ...org2([0n, 0n], [100n, 100n]), project_id: 'p9' })).toEqual({ kind: 'none' });
    // 8 of org2's events lie in this slice, 11 at or past its first (100), which the own-rows reads go through.
    expect(await planSliceRead(store, org2([0n, 0n], [160n, 160n]))).toEqual({ kind: 'own-rows', since: 100n });
    expect(await planSliceRead(store, org2([0n, 0n], [160n, 160n]), 11)).toEqual({ kind: 'own-rows', since: 100n });
    expect(await planSliceRead(store, org2([0n, 0n], [160n, 160n]), 10)).toEqual({ kind: 'history' });
    expect(await planSliceRead(store, org2([0n, 0n], [160n, 160n]), 7)).toEqual({ kind: 'history' });
    // The rest of one event far behind the head: one event in the slice, but 11 at or past it.
    expect(await planSliceRead(store, org2([100n], [101n]), 10)).toEqual({ kind: 'history' });
    expect(await planSliceRead(store, org2([100n], [101n]), 11)).toEqual({ kind: 'own-rows', since: 100n });
    expect(await planSliceRead(store, { org_id: 'org1', from: [100n, 100n], to: [1_000n, 1_000n], limit: 10 })).toEqual({ kind: 'none' });
  });

  it('shows each row at its current version only, whichever way the slice is read', async () => {
    const slice = (from: bigint[], to: bigint[]): LogSlice => ({ org_id: 'org2', from, to, limit: 100 });
    const answer = async (slice: LogSlice, read?: SliceRead) => {
      const plan = read ?? (await planSliceRead(store, slice));
      return {
        runs: (await selectRunChanges(store, slice, plan)).map((row) => `${row.id}@${row.kafka_partition}:${row.kafka_offset}`),
        executions: (await selectExecutionChanges(store, slice, plan)).map((row) => `${row.id}@${row.kafka_partition}:${row.kafka_offset}:${row.status}`),
      };
    };
    // A's and B's current rows lie past offset 160; X's current row is at 131 and Z's past 160.
    const head = slice([0n, 0n], [160n, 160n]);
    expect(await answer(head)).toEqual({ runs: ['run_c@0:140'], executions: ['y@0:102:success', 'x@0:131:success'] });
    for (const [from, to] of [
      [
        [0n, 0n],
        [1_000n, 1_000n],
      ],
      [
        [131n, 106n],
        [171n, 201n],
      ],
      [
        [132n, 0n],
        [1_000n, 202n],
      ],
      [
        [101n, 105n],
        [102n, 106n],
      ],
      [
        [200n, 201n],
        [1_000n, 1_000n],
      ],
    ]) {
      expect(await answer(slice(from, to))).toEqual(await answer(slice(from, to), HISTORY));
    }
    expect(await answer(slice([132n, 0n], [1_000n, 202n]), HISTORY)).toEqual({
      runs: ['run_c@0:140', 'run_a@0:170', 'run_b@1:200'],
      executions: ['z@1:201:failed'],
    });
  });
});
