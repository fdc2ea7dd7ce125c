import { parseProgress } from './progress';

describe('parseProgress', () => {
  it('reads dbt node lines: START counts the nodes before it, a result counts the node itself', () => {
    expect(parseProgress('12:00:01  3 of 10 START sql table model main.orders ........................ [RUN]')).toEqual({
      currentPhase: 'running nodes',
      progress: 20,
      currentResource: 'main.orders',
    });
    expect(parseProgress('12:00:01  3 of 10 OK created sql table model main.orders ................... [OK in 0.12s]')).toEqual({
      currentPhase: 'running nodes',
      progress: 30,
      currentResource: 'main.orders',
    });
    expect(parseProgress('12:00:02.123  7 of 8 ERROR creating sql view model analytics.stg_users ....... [ERROR in 0.05s]')).toMatchObject({
      progress: 88,
      currentResource: 'analytics.stg_users',
    });
    expect(parseProgress('4 of 4 PASS not_null_orders_id ..................................... [PASS in 0.02s]')).toMatchObject({
      progress: 100,
      currentResource: 'not_null_orders_id',
    });
    expect(parseProgress('12:00:03  2 of 5 START test not_null_orders_id ..... [RUN]')).toMatchObject({ progress: 20, currentResource: 'not_null_orders_id' });
    expect(parseProgress('12:00:03  1 of 2 OK loaded seed file main.raw_customers ... [INSERT 3 in 0.1s]')).toMatchObject({
      progress: 50,
      currentResource: 'main.raw_customers',
    });
  });

  it('reads the start and the end of a dbt invocation', () => {
    expect(parseProgress('12:00:00  Running with dbt=1.8.2')).toEqual({ currentPhase: 'starting' });
    expect(parseProgress('12:00:09  Finished running 10 table models in 0 hours 0 minutes and 2.11 seconds (2.11s).')).toEqual({
      currentPhase: 'finished',
      progress: 100,
    });
    expect(parseProgress('12:00:09  Done. PASS=9 WARN=0 ERROR=1 SKIP=0 TOTAL=10')).toEqual({ currentPhase: 'finished', progress: 100 });
  });

  it('reads SQLMesh progress bars and batch lines', () => {
    expect(parseProgress('Evaluating models ━━━━━━━━━━━━━━━━╺━━━━━━━━━━━━━━━━━━━━━━━  40.0% • 2/5 • 0:00:03')).toEqual({
      currentPhase: 'evaluating models',
      progress: 40,
    });
    expect(parseProgress('Creating physical tables ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 100.0% • 3/3 • 0:00:00')).toEqual({
      currentPhase: 'creating physical tables',
      progress: 100,
    });
    expect(parseProgress('[2/5]  sushi.customers  [insert 2024-01-01 - 2024-01-31]  0.12s')).toEqual({ progress: 40, currentResource: 'sushi.customers' });
  });

  it('ignores every other line', () => {
    for (const line of [
      '',
      'Found 10 models, 4 tests, 0 snapshots',
      '12:00:00  Concurrency: 4 threads (target=dev)',
      'progress is 40% done',
      '0 of 0 OK nothing',
      'Summary of 3 of 10 things',
    ]) {
      expect(parseProgress(line)?.progress ?? undefined).toBeUndefined();
    }
  });

  it('never reports more than 100 percent or a resource longer than 256 characters', () => {
    expect(parseProgress('12 of 10 OK created sql table model m ... [OK]')?.progress).toBe(100);
    expect(parseProgress(`1 of 2 OK created sql table model ${'x'.repeat(400)} ... [OK]`)?.currentResource).toHaveLength(256);
  });
});
