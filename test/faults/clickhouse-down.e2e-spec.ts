import { setTimeout as sleep } from 'node:timers/promises';
import { ClickHouseStore, READ_MODEL_TABLES } from '@runstream/clickhouse';
import { eventually, sampleSum } from '@runstream/testing';
import { RunEventsConsumer } from '../../apps/materializer/src/consumer/run-events.consumer';
import { MetricsServer } from '../../apps/materializer/src/metrics/metrics.server';
import { startStack, Stack } from '../support/stack';
import { LoadDriver } from './support/load-driver';
import { describeReport, materializerLag, settle } from './support/settle';

const OUTAGE_MS = 30_000;

/**
 * ClickHouse failing for 30 s under write load, for real: every table the materializer writes is
 * DETACHed (inserts and the fold's reads then fail inside ClickHouse, "table does not exist") and
 * ATTACHed again after 30 s. The stack runs in this process, as local mode runs it, because
 * chDB binds its data directory to one process. Writes go to Kafka and keep being acknowledged;
 * the materializer retries, stays under its retry cap, and afterwards everything is there once.
 */
describe('faults: ClickHouse down for 30 s under write load', () => {
  let stack: Stack;
  let driver: LoadDriver | undefined;

  beforeAll(async () => {
    stack = await startStack('faults-ch', {
      // The cap on retrying a failing flush must outlast the outage (the materializer exits past it).
      MATERIALIZER_MAX_RETRY_MS: '120000',
      MATERIALIZER_FLUSH_INTERVAL_MS: '100',
    });
  });

  afterAll(async () => {
    driver?.stop();
    await stack?.close();
  });

  it('keeps acknowledging writes, retries, and serves every acknowledged write exactly once after', async () => {
    const store = stack.materializer.get(ClickHouseStore);
    const consumer = stack.materializer.get(RunEventsConsumer).consumer;
    const metricsUrl = `http://127.0.0.1:${stack.materializer.get(MetricsServer).port()}/metrics`;
    const projectId = 'proj_faults_ch';
    // Paced so the load spans the outage: at most concurrency / paceMs writes per second.
    driver = new LoadDriver({
      ingestUrl: () => stack.ingestUrl,
      token: stack.tokens.user,
      tag: `ch-${stack.orgId}`,
      projectId,
      runs: 120,
      shape: { logLines: 8, executionReports: 2 },
      concurrency: 10,
      paceMs: 300,
      attemptTimeoutMs: 15_000,
      giveUpAfterMs: 60_000,
    });
    const started = Date.now();
    const load = driver.run();
    await eventually(async () => (driver!.progress().acked >= 150 ? true : undefined), 'load under way', 60_000);

    const failedBefore = consumer.metrics().failedAttempts;
    for (const table of READ_MODEL_TABLES) await store.command('DETACH TABLE {db:Identifier}.{table:Identifier}', { table });
    const ackedAtOutage = driver.progress().acked;
    await sleep(OUTAGE_MS);
    const during = {
      acked: driver.progress().acked - ackedAtOutage,
      failedAttempts: consumer.metrics().failedAttempts - failedBefore,
      lag: await materializerLag(metricsUrl),
    };
    for (const table of READ_MODEL_TABLES) await store.command('ATTACH TABLE {db:Identifier}.{table:Identifier}', { table });
    const loadOutlastedOutage = !driver.progress().finished;

    await load;
    const report = await settle({ queryUrl: stack.queryUrl, metricsUrl, token: stack.tokens.user, projectId }, driver.records);
    console.log(describeReport('ClickHouse down 30 s', report, { during, loadOutlastedOutage, seconds: Math.round((Date.now() - started) / 1000) }));

    // The fault was real and under load: writes were acknowledged meanwhile, flushes failed and waited.
    expect(during.acked).toBeGreaterThan(0);
    expect(during.failedAttempts).toBeGreaterThan(0);
    expect(during.lag).toBeGreaterThan(0);
    expect(loadOutlastedOutage).toBe(true);
    // The materializer rode the outage out: healthy, nothing dead-lettered (no event was at fault).
    expect((await fetch(metricsUrl.replace('/metrics', '/health'))).status).toBe(200);
    expect(sampleSum(await (await fetch(metricsUrl)).text(), 'runstream_materializer_dead_letters_total')).toBe(0);
    // Nothing acknowledged is lost or doubled: no client ever lost an answer here, so all exact.
    expect(report.ledger.rejected).toBe(0);
    expect(report.ledger.notAcked).toBe(0);
    expect(report.ledger.ackedInDoubt).toBe(0);
    expect(report.violations).toEqual([]);
    expect(report.served).toMatchObject({
      runs: report.expected.runs,
      logLines: report.expected.logLines,
      executions: report.expected.executions,
      unknownRuns: 0,
      repeatedLogLines: 0,
    });
  }, 240_000);
});
