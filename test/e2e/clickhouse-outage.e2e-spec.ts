import { ClickHouseStore } from '@runstream/clickhouse';
import { eventually, http, sampleSum } from '@runstream/testing';
import { RunEventsConsumer } from '../../apps/materializer/src/consumer/run-events.consumer';
import { MetricsServer } from '../../apps/materializer/src/metrics/metrics.server';
import { bearer, startStack, Stack } from '../support/stack';

describe('ClickHouse inserts failing for a while', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('outage');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('pauses the materializer, loses nothing and resumes by itself', async () => {
    const user = bearer(stack.tokens.user);
    const store = stack.materializer.get(ClickHouseStore);
    const consumer = stack.materializer.get(RunEventsConsumer).consumer;
    // A real failure inside the engine: run_daily, which every flush of runs writes, is DETACHed, so
    // its inserts fail ("table does not exist") until it is ATTACHed again; ingest never reads it.
    await store.command('DETACH TABLE {db:Identifier}.run_daily');

    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const created = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId: 'proj_outage', jobName: `j${i}` }, user);
      expect(created.status).toBe(201);
      await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${created.body.id}`, { status: i % 2 ? 'succeeded' : 'failed' }, user);
      ids.push(created.body.id);
    }
    await eventually(async () => (consumer.metrics().failedAttempts >= 3 ? true : undefined), 'the materializer to retry');
    const lagDuringOutage = (await consumer.lag()).reduce((sum, p) => sum + p.lag, 0);
    expect(lagDuringOutage).toBe(40);
    const metricsUrl = `http://127.0.0.1:${stack.materializer.get(MetricsServer).port()}/metrics`;
    const metrics = await (await fetch(metricsUrl)).text();
    expect(sampleSum(metrics, 'runstream_materializer_failed_write_attempts_total')).toBeGreaterThanOrEqual(1);
    expect(sampleSum(metrics, 'runstream_kafka_consumer_lag', { app: 'materializer' })).toBe(40);
    // The runs rows are written after run_daily's: none is readable yet.
    expect((await http('GET', `${stack.queryUrl}/api/v1/runs/${ids[0]}`, undefined, user)).status).toBe(404);

    await store.command('ATTACH TABLE {db:Identifier}.run_daily');
    const listUrl = `${stack.queryUrl}/api/v1/projects/proj_outage/runs?limit=100`;
    const list = await eventually(
      async () => {
        const response = await http<{ total: number; runs: { id: string; status: string }[] }>('GET', listUrl, undefined, user);
        return response.body.total === 20 && response.body.runs.every((run) => run.status !== 'pending') ? response.body : undefined;
      },
      'every run after recovery',
      30_000,
    );
    expect(list.runs.map((run) => run.id).sort()).toEqual([...ids].sort());
    expect(list.runs.filter((run) => run.status === 'success')).toHaveLength(10);
    await eventually(async () => ((await consumer.lag()).every((p) => p.lag === 0) ? true : undefined), 'lag back to zero');
    expect(sampleSum(await (await fetch(metricsUrl)).text(), 'runstream_materializer_runs_written_total')).toBeGreaterThanOrEqual(1);
  });
});
