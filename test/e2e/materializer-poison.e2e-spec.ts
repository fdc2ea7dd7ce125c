import { ClickHouseStore } from '@runstream/clickhouse';
import { z } from 'zod';
import { encodeEvent, RunEventEnvelope, uuidv7 } from '@runstream/events';
import { createKafka, KafkajsPublisher, OutgoingMessage } from '@runstream/kafka';
import { eventually, readTopic, sampleSum } from '@runstream/testing';
import { loadMaterializerConfig } from '../../apps/materializer/src/config/materializer.config';
import { RunEventsConsumer } from '../../apps/materializer/src/consumer/run-events.consumer';
import { MetricsServer } from '../../apps/materializer/src/metrics/metrics.server';
import { startStack, Stack } from '../support/stack';

const RUNS = 30;

/**
 * Events that decode as JSON but would break the fold or be refused by ClickHouse, published
 * among good events on every partition of the topic in one go: the materializer must write
 * every good event, dead-letter each bad one with its reason, and catch up to the end.
 */
describe('materializer: poison among good events on several partitions', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('poison');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('materializes every good event, dead-letters each bad one with a reason and reaches lag 0', async () => {
    const config = loadMaterializerConfig(stack.env);
    const store = stack.materializer.get(ClickHouseStore);
    const consumer = stack.materializer.get(RunEventsConsumer).consumer;
    // A refusal only the server knows about, as a real ClickHouse would answer it.
    await store.command("ALTER TABLE {db:Identifier}.model_executions ADD CONSTRAINT refuse_poison CHECK model_name != 'poison.refused'");

    const projectId = 'proj_poison';
    const envelope = (runId: string) => ({ schema_version: 1, org_id: stack.orgId, project_id: projectId, run_id: runId, actor: 'tok' });
    const at = (i: number, s: number) => new Date(Date.UTC(2026, 1, 26, 6, i, s)).toISOString();
    const execution = (model: string, rows: number) => ({
      id: `exec_${model}`,
      model_name: model,
      status: 'success',
      started_at: '2026-02-26T06:00:00Z',
      completed_at: '2026-02-26T06:01:00Z',
      rows_processed: rows,
      bytes_processed: null,
      interval_start: null,
      interval_end: null,
    });
    const event = (runId: string, type: RunEventEnvelope['type'], payload: object, when: string): RunEventEnvelope =>
      ({ ...envelope(runId), event_id: uuidv7(), type, occurred_at: when, payload }) as RunEventEnvelope;
    const good = (runId: string, i: number): RunEventEnvelope[] => [
      event(
        runId,
        'run.created',
        { job_id: '', job_name: `job-${i}`, cronjob_name: 'hourly', namespace: '', job_type: 'run', triggered_by: 'scheduled', target_gateway: '' },
        at(i, 0),
      ),
      event(
        runId,
        'run.patched',
        { status: 'running', append_log: { at: at(i, 1), level: 'info', message: 'go' }, telemetry_summary: { progress: 10 } },
        at(i, 1),
      ),
      event(runId, 'model_executions.reported', { executions: [execution(`m${i}`, i)] }, at(i, 2)),
      event(runId, 'run.patched', { status: 'success' }, at(i, 3)),
    ];

    // Bad events, each on a run that also has good events; expected reason fragments by event id.
    const bad = new Map<string, { message: OutgoingMessage; reason: RegExp }>();
    const addBad = (runId: string, value: string | RunEventEnvelope, reason: RegExp) => {
      const text = typeof value === 'string' ? value : encodeEvent(value).toString();
      const id = (JSON.parse(text) as { event_id: string }).event_id;
      bad.set(id, { message: { key: runId, value: Buffer.from(text) }, reason });
    };
    const runIds = Array.from({ length: RUNS }, (_, i) => `run_poison_${i}`);
    const badAfterCreate: [number, (runId: string, i: number) => void][] = [
      [1, (r, i) => addBad(r, event(r, 'run.patched', { started_at: '2026-W09' }, at(i, 1)), /payload\.started_at: must be an RFC 3339/)],
      [
        4,
        (r, i) =>
          addBad(
            r,
            encodeEvent(event(r, 'run.patched', { telemetry_summary: { rows: 1 } }, at(i, 1)))
              .toString()
              .replace('"rows":1', '"rows":1e999'),
            /payload\.telemetry_summary\.rows/,
          ),
      ],
      [
        7,
        (r, i) =>
          addBad(
            r,
            encodeEvent(event(r, 'run.patched', { telemetry_summary: { ok: 1 } }, at(i, 1)))
              .toString()
              .replace('"ok":1', '"__proto__":{"x":1}'),
            /__proto__: reserved key/,
          ),
      ],
      [
        10,
        (r, i) =>
          addBad(r, event(r, 'run.patched', { append_log: { at: at(i, 1), level: 'info', message: 'half \ud800 a pair' } }, at(i, 1)), /unpaired surrogates/),
      ],
      [13, (r, i) => addBad(r, event(r, 'model_executions.reported', { executions: [execution('big', 2 ** 64)] }, at(i, 2)), /rows_processed/)],
      [
        16,
        (r, i) =>
          addBad(
            r,
            event(r, 'model_executions.reported', { executions: [execution('poison.refused', 1)] }, at(i, 2)),
            /^ClickHouse refused the event: VIOLATED_CONSTRAINT/,
          ),
      ],
      [19, (r, i) => addBad(r, event(r, 'run.patched', { finished_at: '20260226T0700Z' }, at(i, 2)), /payload\.finished_at/)],
    ];
    const messages: OutgoingMessage[] = [];
    runIds.forEach((runId, i) => {
      const [created, ...rest] = good(runId, i).map((e) => ({ key: runId, value: encodeEvent(e) }));
      messages.push(created);
      const maker = badAfterCreate.find(([index]) => index === i)?.[1];
      const before = bad.size;
      maker?.(runId, i);
      if (bad.size > before) messages.push([...bad.values()][bad.size - 1].message);
      messages.push(...rest);
    });
    // The fold's own refusals: an unknown run, and a terminal run asked to run again.
    addBad('run_never_created', event('run_never_created', 'run.patched', { status: 'running' }, at(0, 5)), /run run_never_created is unknown/);
    messages.push([...bad.values()][bad.size - 1].message);
    addBad(runIds[2], event(runIds[2], 'run.patched', { status: 'running' }, at(2, 9)), /terminal run cannot become running/);
    messages.push([...bad.values()][bad.size - 1].message);

    const publisher = new KafkajsPublisher(createKafka(config.kafka));
    await publisher.connect();
    await publisher.publish(config.kafka.topics.events, messages);
    await publisher.disconnect();

    await eventually(async () => ((await consumer.lag()).every((p) => p.lag === 0) ? true : undefined), 'lag back to 0', 60_000);
    const lag = await consumer.lag();
    expect(new Set(lag.map((p) => p.partition)).size).toBe(3);

    const runs = await store.query(
      z.object({ id: z.string(), status: z.string(), event_count: z.number(), telemetry_summary: z.string() }),
      'SELECT id, status, event_count, telemetry_summary FROM {db:Identifier}.runs FINAL WHERE project_id = {p:String} ORDER BY id',
      { p: projectId },
    );
    expect(runs).toHaveLength(RUNS);
    for (const run of runs) expect(run).toMatchObject({ status: 'success', event_count: 3, telemetry_summary: '{"progress":10}' });
    const [executions] = await store.query(
      z.object({ n: z.number() }),
      'SELECT toUInt32(count()) AS n FROM {db:Identifier}.model_executions FINAL WHERE project_id = {p:String}',
      { p: projectId },
    );
    expect(executions.n).toBe(RUNS);
    const logs = await store.query(
      z.object({ n: z.number() }),
      'SELECT toUInt32(count()) AS n FROM {db:Identifier}.run_log_entries_current WHERE project_id = {p:String}',
      {
        p: projectId,
      },
    );
    expect(logs[0].n).toBe(RUNS);

    const letters = await readTopic(config.kafka.brokers, config.kafka.topics.deadLetters, bad.size, 30_000);
    const byEventId = new Map(letters.map((l) => [(JSON.parse(l.value ?? '{}') as { event_id: string }).event_id, l]));
    for (const [eventId, { reason }] of bad) {
      const letter = byEventId.get(eventId);
      expect({ eventId, reason: letter?.headers['dlq.reason'] }).toEqual({ eventId, reason: expect.stringMatching(reason) });
    }
    expect(letters).toHaveLength(bad.size);

    const port = stack.materializer.get(MetricsServer).port();
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(sampleSum(metrics, 'runstream_materializer_dead_letters_total')).toBe(bad.size);
    expect(sampleSum(metrics, 'runstream_materializer_consumer_state', { state: 'running' })).toBe(1);
  });
});
