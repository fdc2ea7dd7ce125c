import { ClickHouseStore } from '@runstream/clickhouse';
import { eventually, http, sampleSum } from '@runstream/testing';
import { FatalExit } from '../../apps/materializer/src/consumer/fatal-exit';
import { RunEventsConsumer } from '../../apps/materializer/src/consumer/run-events.consumer';
import { MetricsServer } from '../../apps/materializer/src/metrics/metrics.server';
import { bearer, startStack, Stack } from '../support/stack';

/**
 * ClickHouse stays unavailable longer than the retry budget: the materializer must give up
 * through its fatal path (process exit in production, observed here) and say so on /health,
 * having committed nothing.
 */
describe('materializer: a failure outlasting the retry budget', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('fatal', { MATERIALIZER_MAX_RETRY_MS: '1500', MATERIALIZER_RETRY_INITIAL_MS: '50', MATERIALIZER_UNHEALTHY_AFTER_MS: '60000' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('calls the fatal hook, answers 503 on /health and commits nothing', async () => {
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${stack.materializer.get(MetricsServer).port()}/health`);
      return { status: response.status, body: (await response.json()) as { status: string; consumer: string; reason?: string } };
    };
    expect((await health()).status).toBe(200);

    const fatal = jest.spyOn(stack.materializer.get(FatalExit), 'exit').mockImplementation(() => undefined);
    const store = stack.materializer.get(ClickHouseStore);
    // A real failure inside the engine, retried and never dead-lettered: run_daily is DETACHed.
    await store.command('DETACH TABLE {db:Identifier}.run_daily');
    const consumer = stack.materializer.get(RunEventsConsumer).consumer;

    const created = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId: 'proj_fatal', jobName: 'j' }, bearer(stack.tokens.user));
    expect(created.status).toBe(201);

    await eventually(async () => (fatal.mock.calls.length > 0 ? true : undefined), 'the fatal hook', 30_000);
    expect(fatal).toHaveBeenCalledTimes(1);
    expect(fatal.mock.calls[0][0].message).toMatch(/^writes failed \d+ times over \d+ s; last error: .*run_daily/);
    expect(consumer.metrics().failedAttempts).toBeGreaterThan(2);

    const after = await health();
    expect(after.status).toBe(503);
    expect(after.body).toMatchObject({ status: 'unavailable', consumer: 'failed', reason: expect.stringContaining('consumer gave up: writes failed') });
    const metrics = await (await fetch(`http://127.0.0.1:${stack.materializer.get(MetricsServer).port()}/metrics`)).text();
    expect(sampleSum(metrics, 'runstream_materializer_consumer_state', { state: 'failed' })).toBe(1);
    expect(sampleSum(metrics, 'runstream_materializer_healthy')).toBe(0);
    expect((await consumer.lag()).reduce((sum, p) => sum + p.lag, 0)).toBe(1);

    // Given up is final: the store healing does not bring this member back (a new process does).
    await store.command('ATTACH TABLE {db:Identifier}.run_daily');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await health()).status).toBe(503);
    expect(fatal).toHaveBeenCalledTimes(1);
  });
});
