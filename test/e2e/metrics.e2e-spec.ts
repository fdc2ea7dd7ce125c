import { eventually, http, sampleSum } from '@runstream/testing';
import { StackProcess } from '../faults/support/stack-process';

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/**
 * Every app of `npm start`'s wiring serves Prometheus metrics (prom-client): a run written,
 * read and notified about shows up in each app's named series, labelled with the app.
 */
describe('metrics: every app, scraped', () => {
  let stack: StackProcess;
  let stackStarted: number;

  beforeAll(async () => {
    stackStarted = Date.now();
    stack = await StackProcess.create('metrics', {});
    await stack.start();
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('names the HTTP, Kafka, ClickHouse, consumer-lag and process series of ingest, query, control, materializer and notifier', async () => {
    const auth = { authorization: `Bearer ${stack.userToken()}` };
    const projectId = 'proj_metrics';
    const job = await http<{ id: string }>(
      'POST',
      `${stack.controlUrl}/api/v1/projects/${projectId}/jobs`,
      { name: 'scraped', command: 'dbt build', schedule: '@daily' },
      auth,
    );
    expect(job.status).toBe(201);
    const run = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobId: job.body.id, jobName: 'scraped' }, auth);
    expect(run.status).toBe(201);
    // Over HTTP_JSON_WORKER_MIN_BYTES (64 KiB) of body and of text: parsed and scrubbed on ingest's worker threads.
    const logEntries = Array.from({ length: 80 }, (_, i) => ({ at: '2026-02-26T06:00:00Z', level: 'info', message: `line ${i} ${'x'.repeat(1_000)}` }));
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${run.body.id}`, { logEntries }, auth)).status).toBe(202);
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${run.body.id}`, { status: 'succeeded' }, auth)).status).toBe(202);
    await eventually(
      async () => {
        const read = await http<{ status: string }>('GET', `${stack.queryUrl}/api/v1/runs/${run.body.id}`, undefined, auth);
        return read.status === 200 && read.body.status === 'success' ? true : undefined;
      },
      'the run to be read back',
      60_000,
      100,
    );

    const ingest = await scrape(`${stack.ingestUrl}/metrics`);
    expect(
      sampleSum(ingest, 'runstream_http_request_duration_seconds_count', { app: 'ingest', method: 'POST', route: '/api/elt/runs', status_code: '201' }),
    ).toBe(1);
    expect(
      sampleSum(ingest, 'runstream_http_request_duration_seconds_count', { app: 'ingest', method: 'PATCH', route: '/api/elt/runs/:id', status_code: '202' }),
    ).toBe(2);
    expect(sampleSum(ingest, 'runstream_kafka_publish_duration_seconds_count', { app: 'ingest', outcome: 'acknowledged' })).toBe(3);
    expect(sampleSum(ingest, 'runstream_worker_tasks_total', { app: 'ingest', worker: 'json', outcome: 'done' })).toBe(1);
    expect(sampleSum(ingest, 'runstream_worker_tasks_total', { app: 'ingest', worker: 'scrub', outcome: 'done' })).toBe(1);
    expect(sampleSum(ingest, 'runstream_worker_queue_depth', { app: 'ingest', worker: 'json' })).toBe(0);
    expect(sampleSum(ingest, 'process_cpu_seconds_total', { app: 'ingest' })).toBeGreaterThan(0);

    const query = await scrape(`${stack.queryUrl}/metrics`);
    expect(
      sampleSum(query, 'runstream_http_request_duration_seconds_count', { app: 'query', method: 'GET', route: '/api/v1/runs/:runId' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleSum(query, 'runstream_clickhouse_statement_duration_seconds_count', { app: 'query', kind: 'query', outcome: 'ok' })).toBeGreaterThanOrEqual(1);

    const control = await scrape(`${stack.controlUrl}/metrics`);
    expect(
      sampleSum(control, 'runstream_http_request_duration_seconds_count', {
        app: 'control',
        method: 'POST',
        route: '/api/v1/projects/:id/jobs',
        status_code: '201',
      }),
    ).toBe(1);
    expect(sampleSum(control, 'runstream_kafka_publish_duration_seconds_count', { app: 'control', outcome: 'acknowledged' })).toBeGreaterThanOrEqual(1);
    expect(sampleSum(control, 'runstream_kafka_consumer_lag', { app: 'control' })).toBeGreaterThanOrEqual(0);

    const materializer = await scrape(stack.metricsUrl);
    expect(sampleSum(materializer, 'runstream_materializer_flushes_total', { app: 'materializer' })).toBeGreaterThanOrEqual(1);
    const flushStarted = sampleSum(materializer, 'runstream_materializer_last_flush_started_timestamp_seconds', { app: 'materializer' });
    expect(flushStarted * 1000).toBeGreaterThan(stackStarted);
    expect(flushStarted * 1000).toBeLessThanOrEqual(Date.now());
    expect(sampleSum(materializer, 'runstream_materializer_consumer_state', { app: 'materializer', state: 'running' })).toBe(1);
    expect(sampleSum(materializer, 'runstream_kafka_consumer_lag', { app: 'materializer' })).toBeGreaterThanOrEqual(0);
    expect(
      sampleSum(materializer, 'runstream_clickhouse_statement_duration_seconds_count', { app: 'materializer', kind: 'insert', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);

    const notifier = await eventually(
      async () => {
        const text = await scrape(stack.notifierMetricsUrl);
        return sampleSum(text, 'runstream_notifier_outcomes_total', { app: 'notifier' }) >= 1 ? text : undefined;
      },
      'the notifier to take the outcome',
      60_000,
      200,
    );
    expect(sampleSum(notifier, 'runstream_kafka_consumer_lag', { app: 'notifier' })).toBeGreaterThanOrEqual(0);
    expect(sampleSum(notifier, 'nodejs_heap_size_used_bytes', { app: 'notifier' })).toBeGreaterThan(0);
  }, 180_000);
});
