import { AppMetrics } from './app-metrics';
import { Counter, Registry } from 'prom-client';
import { sampleSum } from '@runstream/testing';

describe('AppMetrics', () => {
  it('labels every series with the app and records requests, publishes, statements and consumer lag', async () => {
    const metrics = new AppMetrics('ingest');
    metrics.request('POST', '/api/elt/runs', 201, 0.004);
    metrics.published('runs.events.v1', 0.02, 'acknowledged');
    metrics.published('runs.events.v1', 5, 'timeout');
    metrics.statement('query', 0.01, false);
    metrics.statement('insert', 0.2, true);
    metrics.watchLag('runstream-materializer', 'runs.events.v1', {
      lag: async () => [
        { partition: 0, lag: 3 },
        { partition: 1, lag: 0 },
      ],
    });
    const text = await metrics.exposition();
    expect(
      sampleSum(text, 'runstream_http_request_duration_seconds_count', { app: 'ingest', method: 'POST', route: '/api/elt/runs', status_code: '201' }),
    ).toBe(1);
    expect(sampleSum(text, 'runstream_http_request_duration_seconds_bucket', { app: 'ingest', le: '0.0025' })).toBe(0);
    expect(sampleSum(text, 'runstream_http_request_duration_seconds_bucket', { app: 'ingest', le: '0.005' })).toBe(1);
    expect(sampleSum(text, 'runstream_kafka_publish_duration_seconds_count', { app: 'ingest', topic: 'runs.events.v1', outcome: 'timeout' })).toBe(1);
    expect(sampleSum(text, 'runstream_kafka_publish_duration_seconds_count', { app: 'ingest', outcome: 'acknowledged' })).toBe(1);
    expect(sampleSum(text, 'runstream_clickhouse_statement_duration_seconds_count', { app: 'ingest', kind: 'insert', outcome: 'error' })).toBe(1);
    expect(sampleSum(text, 'runstream_kafka_consumer_lag', { app: 'ingest', group: 'runstream-materializer', topic: 'runs.events.v1', partition: '0' })).toBe(
      3,
    );
    expect(sampleSum(text, 'process_cpu_seconds_total', { app: 'ingest' })).toBeGreaterThan(0);
  });

  it("serves an included registry's series with the app label, and leaves out only the lag of a group whose read failed, counting it", async () => {
    const metrics = new AppMetrics('notifier');
    const own = new Registry();
    new Counter({ name: 'runstream_notifier_outcomes_total', help: 'outcomes', registers: [own] }).inc(2);
    metrics.include(own);
    expect(sampleSum(await metrics.exposition(), 'runstream_notifier_outcomes_total', { app: 'notifier' })).toBe(2);
    metrics.watchLag('away', 't', { lag: () => Promise.reject(new Error('broker away')) });
    metrics.watchLag('fine', 't', { lag: async () => [{ partition: 0, lag: 7 }] });
    const answer = await metrics.answer();
    expect(answer.status).toBe(200);
    expect(sampleSum(answer.body, 'runstream_notifier_outcomes_total', { app: 'notifier' })).toBe(2);
    expect(sampleSum(answer.body, 'runstream_kafka_consumer_lag', { group: 'fine' })).toBe(7);
    expect(sampleSum(answer.body, 'runstream_kafka_consumer_lag', { group: 'away' })).toBeNaN();
    // The failure is counted while that scrape is written, so the count shows from the next one.
    expect(sampleSum((await metrics.answer()).body, 'runstream_kafka_consumer_lag_read_errors_total', { group: 'away' })).toBe(1);
  });

  it('answers 503 with Retry-After when a collector throws', async () => {
    const metrics = new AppMetrics('query');
    metrics.watchWorkerQueue('json', () => {
      throw new Error('queue gone');
    });
    expect(await metrics.answer()).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, body: 'metrics unavailable: queue gone' });
  });
});
