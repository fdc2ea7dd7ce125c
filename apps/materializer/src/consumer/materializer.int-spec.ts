import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ClickHouseStore, migrate, openClickHouse, RunRow, anyRow, RunRowSchema } from '@runstream/clickhouse';
import { encodeEvent, RunEventEnvelope, uuidv7 } from '@runstream/events';
import { createKafka, ensureTopics, IncomingMessage, KafkajsPublisher } from '@runstream/kafka';
import { isolatedEnv, readTopic } from '@runstream/testing';
import { loadMaterializerConfig, MaterializerConfig } from '../config/materializer.config';
import { MaterializerService } from './materializer.service';

/**
 * The sink on its own, fed hand-made log messages: real chDB and a real dead-letter topic,
 * no consumer group, so each test controls exactly which batch is (re)played.
 */
describe('MaterializerService on real ClickHouse and Kafka', () => {
  let store: ClickHouseStore;
  let publisher: KafkajsPublisher;
  let config: MaterializerConfig;
  let service: MaterializerService;

  beforeAll(async () => {
    config = loadMaterializerConfig(isolatedEnv('materializer'));
    store = openClickHouse(config.clickhouse);
    await migrate(store);
    const kafka = createKafka(config.kafka);
    await ensureTopics(kafka, [{ topic: config.kafka.topics.deadLetters, numPartitions: 1 }]);
    publisher = new KafkajsPublisher(kafka);
    await publisher.connect();
    service = new MaterializerService(store, publisher, config);
  });

  afterAll(async () => {
    await publisher.disconnect();
    await store.close();
  });

  let offset = 0;
  function message(event: RunEventEnvelope | string, partition = 0): IncomingMessage {
    const value = typeof event === 'string' ? Buffer.from(event) : encodeEvent(event);
    const key = typeof event === 'string' ? 'run_poison' : event.run_id;
    offset += 1;
    return { topic: config.kafka.topics.events, partition, offset: String(offset), key, value };
  }

  function runEvents(runId: string, projectId: string): RunEventEnvelope[] {
    const envelope = { schema_version: 1, org_id: 'org_a', project_id: projectId, run_id: runId, actor: 'tok' };
    return [
      {
        ...envelope,
        event_id: uuidv7(),
        type: 'run.created',
        occurred_at: '2026-02-26T06:00:00.000Z',
        payload: { job_id: '', job_name: 'j', cronjob_name: 'hourly', namespace: '', job_type: 'run', triggered_by: 'scheduled', target_gateway: '' },
      },
      { ...envelope, event_id: uuidv7(), type: 'run.patched', occurred_at: '2026-02-26T06:00:01.000Z', payload: { status: 'running' } },
      { ...envelope, event_id: uuidv7(), type: 'run.patched', occurred_at: '2026-02-26T06:10:01.250Z', payload: { status: 'success' } },
    ];
  }

  async function snapshot(projectId: string): Promise<{ runs: RunRow[]; events: number }> {
    const runs = await store.query(RunRowSchema, 'SELECT * FROM {db:Identifier}.runs FINAL WHERE project_id = {p:String} ORDER BY id', { p: projectId });
    const [{ n }] = await store.query(z.object({ n: z.string() }), 'SELECT count() AS n FROM {db:Identifier}.run_events FINAL WHERE project_id = {p:String}', {
      p: projectId,
    });
    return { runs, events: Number(n) };
  }

  it('folds a run history into one latest-state row and one audit row per event', async () => {
    const projectId = `proj_${randomBytes(3).toString('hex')}`;
    await service.materialize(runEvents('run_1', projectId).map((e) => message(e)));
    const { runs, events } = await snapshot(projectId);
    expect(events).toBe(3);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'success',
      start_time: '2026-02-26 06:00:01.000',
      end_time: '2026-02-26 06:10:01.250',
      duration_seconds: 600.25,
      event_count: 3,
    });
  });

  it('changes nothing when a batch is replayed whole or in part (crash before commit)', async () => {
    const projectId = `proj_${randomBytes(3).toString('hex')}`;
    const batch = [...runEvents('run_a', projectId), ...runEvents('run_b', projectId)].map((e) => message(e));
    await service.materialize(batch.slice(0, 4));
    await service.materialize(batch);
    const once = await snapshot(projectId);
    await service.materialize(batch);
    await service.materialize(batch.slice(2));
    expect(await snapshot(projectId)).toEqual(once);
    expect(once.runs.map((r) => [r.id, r.status, r.event_count])).toEqual([
      ['run_a', 'success', 3],
      ['run_b', 'success', 3],
    ]);
    // Each run was written three times (pending, running, success) and the batch replayed:
    // the daily rollup still counts two runs.
    const daily = await store.query(
      anyRow,
      `SELECT toString(day) AS day, cronjob_name, toUInt32(total_runs) AS total, toUInt32(success_count) AS ok, toUInt32(other_count) AS other, avg_duration_seconds AS avg, p95_duration_seconds AS p95, max_duration_seconds AS max
       FROM {db:Identifier}.run_daily_stats WHERE project_id = {p:String}`,
      { p: projectId },
    );
    expect(daily).toEqual([{ day: '2026-02-26', cronjob_name: 'hourly', total: 2, ok: 2, other: 0, avg: 600.25, p95: 600.25, max: 600.25 }]);
  });

  it('dead-letters poison with its reason and coordinates, and still folds the events around it', async () => {
    const projectId = `proj_${randomBytes(3).toString('hex')}`;
    const [created, running, success] = runEvents('run_p', projectId);
    const orphan = { ...running, event_id: uuidv7(), run_id: 'run_never_created' };
    const poison = message('{"half an event');
    const batch = [message(created), poison, message(orphan), message(running), message(success)];
    const stats = await service.materialize(batch);
    expect(stats).toMatchObject({ events: 4, runsWritten: 1, deadLetters: 2 });
    expect((await snapshot(projectId)).runs[0].status).toBe('success');

    const letters = await readTopic(config.kafka.brokers, config.kafka.topics.deadLetters, 2);
    const byOffset = new Map(letters.map((l) => [l.headers['dlq.offset'], l]));
    expect(byOffset.get(poison.offset)).toMatchObject({ value: '{"half an event', headers: { 'dlq.topic': poison.topic, 'dlq.partition': '0' } });
    expect(byOffset.get(poison.offset)?.headers['dlq.reason']).toContain('undecodable JSON');
    expect(byOffset.get(batch[2].offset)?.headers['dlq.reason']).toBe('run run_never_created is unknown');
  });

  it('fills logs, samples and executions, capped and replace-aware, readable through the BI views', async () => {
    const projectId = `proj_${randomBytes(3).toString('hex')}`;
    const [created] = runEvents('run_t', projectId);
    const envelope = { schema_version: 1, org_id: 'org_a', project_id: projectId, run_id: 'run_t', actor: 'tok' };
    const at = (second: number) => new Date(Date.UTC(2026, 1, 26, 6, 0, second)).toISOString();
    const patch = (payload: object, second: number): RunEventEnvelope =>
      ({ ...envelope, event_id: uuidv7(), type: 'run.patched', occurred_at: at(second), payload }) as RunEventEnvelope;
    const appends = Array.from({ length: 505 }, (_, i) =>
      patch({ append_log: { at: at(1), level: 'info', message: `line ${i}` }, append_telemetry_sample: { at: at(1), values: { rowsLoaded: i } } }, 1),
    );
    const execution = (id: string, status: string) => ({
      id,
      model_name: 'orders.stg_orders',
      status,
      started_at: at(10),
      completed_at: at(40),
      rows_processed: 100,
      bytes_processed: 2000,
      interval_start: null,
      interval_end: null,
    });
    const report = (second: number, status: string): RunEventEnvelope =>
      ({
        ...envelope,
        event_id: uuidv7(),
        type: 'model_executions.reported',
        occurred_at: at(second),
        payload: { executions: [execution('exec_1', status)] },
      }) as RunEventEnvelope;
    const history = [created, ...appends, report(50, 'running'), report(55, 'success')].map((e) => message(e));
    await service.materialize(history.slice(0, 200));
    await service.materialize(history.slice(150));

    const q = (sql: string) => store.query(anyRow, sql, { p: projectId });
    const lines = await q('SELECT toUInt32(seq) AS seq, message FROM {db:Identifier}.run_log_entries_current WHERE project_id = {p:String} ORDER BY seq');
    expect(lines).toHaveLength(500);
    expect(lines[0]).toEqual({ seq: 5, message: 'line 5' });
    expect(lines[499]).toEqual({ seq: 504, message: 'line 504' });
    const samples = await q(
      "SELECT toUInt32(count()) AS n, min(values['rowsLoaded']) AS low FROM {db:Identifier}.run_telemetry_samples_current WHERE project_id = {p:String}",
    );
    expect(samples).toEqual([{ n: 505, low: 0 }]);
    const [execRow] = await q(
      'SELECT id, status, cronjob_name, job_run_id, duration_seconds, created_at, updated_at FROM {db:Identifier}.model_executions_current WHERE project_id = {p:String}',
    );
    expect(execRow).toEqual({
      id: 'exec_1',
      status: 'success',
      cronjob_name: 'hourly',
      job_run_id: 'run_t',
      duration_seconds: 30,
      created_at: '2026-02-26 06:00:50.000',
      updated_at: '2026-02-26 06:00:55.000',
    });

    const replace = patch({ log_entries: [{ at: at(60), level: 'error', message: 'only line' }] }, 60);
    await service.materialize([message(replace)]);
    const replaced = await q('SELECT toUInt32(seq) AS seq, level, message FROM {db:Identifier}.run_log_entries_current WHERE project_id = {p:String}');
    expect(replaced).toEqual([{ seq: 0, level: 'error', message: 'only line' }]);
    const [run] = await q(
      'SELECT status, log_generation, toUInt32(log_count) AS log_count, event_count FROM {db:Identifier}.runs_current WHERE project_id = {p:String}',
    );
    expect(run).toEqual({ status: 'pending', log_generation: 1, log_count: 1, event_count: 507 });

    await service.materialize(history);
    expect(await q('SELECT toUInt32(seq) AS seq, level, message FROM {db:Identifier}.run_log_entries_current WHERE project_id = {p:String}')).toEqual(replaced);
  });
  it('leaves no status of a refused, dead-lettered event in daily stats: run_daily is written after the rows ClickHouse may refuse', async () => {
    const projectId = `proj_${randomBytes(3).toString('hex')}`;
    await store.command("ALTER TABLE {db:Identifier}.run_telemetry_samples ADD CONSTRAINT refuse_poison_sample CHECK NOT mapContains(values, 'poison')");
    try {
      const [created, running, success] = runEvents('run_daily_refused', projectId);
      // The run's last event ends it and carries a sample ClickHouse refuses: the event is dead-lettered whole.
      const refused = {
        ...success,
        payload: { status: 'success', append_telemetry_sample: { at: '2026-02-26T06:10:01.000Z', values: { poison: 1 } } },
      } as RunEventEnvelope;
      const stats = await service.materialize([created, running, refused].map((e) => message(e)));
      expect(stats).toMatchObject({ deadLetters: 1 });
      const { runs: rows } = await snapshot(projectId);
      expect(rows.map((r) => r.status)).toEqual(['running']);
      const daily = await store.query(z.object({ status: z.string() }), 'SELECT status FROM {db:Identifier}.run_daily FINAL WHERE project_id = {p:String}', {
        p: projectId,
      });
      expect(daily).toEqual([{ status: 'running' }]);
    } finally {
      await store.command('ALTER TABLE {db:Identifier}.run_telemetry_samples DROP CONSTRAINT IF EXISTS refuse_poison_sample');
    }
  });

  it('dead-letters the one event ClickHouse refuses (split out of its flush) and writes every other event of it', async () => {
    const projectId = `proj_${randomBytes(3).toString('hex')}`;
    // A real server refusal on data: a constraint this database's model_executions enforces.
    await store.command("ALTER TABLE {db:Identifier}.model_executions ADD CONSTRAINT refuse_poison CHECK model_name != 'poison.refused'");
    try {
      const envelope = (runId: string) => ({ schema_version: 1, org_id: 'org_a', project_id: projectId, run_id: runId, actor: 'tok' });
      const report = (runId: string, model: string): RunEventEnvelope => ({
        ...envelope(runId),
        event_id: uuidv7(),
        type: 'model_executions.reported',
        occurred_at: '2026-02-26T06:05:00.000Z',
        payload: {
          executions: [
            {
              id: `exec_${runId}`,
              model_name: model,
              status: 'success',
              started_at: '2026-02-26T06:01:00Z',
              completed_at: '2026-02-26T06:02:00Z',
              rows_processed: 1,
              bytes_processed: null,
              interval_start: null,
              interval_end: null,
            },
          ],
        },
      });
      const runs = ['run_s0', 'run_s1', 'run_s2', 'run_s3'];
      const [first, second] = [runs.slice(0, 2), runs.slice(2)];
      // Two partitions, interleaved as a flush holds them; the refused report sits mid-partition.
      const events = (ids: string[], partition: number) =>
        ids.flatMap((id) => {
          const [created, running, success] = runEvents(id, projectId);
          return [created, running, report(id, id === 'run_s1' ? 'poison.refused' : 'orders.stg'), success].map((e) => message(e, partition));
        });
      const batch = [...events(first, 0), ...events(second, 1)];
      const stats = await service.materialize(batch);
      // runsWritten counts row writes: the split writes run_s1's row once on each side of its refused report.
      expect(stats).toMatchObject({ events: 15, executions: 3, deadLetters: 1 });
      const { runs: rows } = await snapshot(projectId);
      expect(rows.map((r) => [r.id, r.status, r.event_count])).toEqual(runs.map((id) => [id, 'success', 3]));
      const executions = await store.query(
        z.object({ job_run_id: z.string() }),
        'SELECT job_run_id FROM {db:Identifier}.model_executions FINAL WHERE project_id = {p:String} ORDER BY job_run_id',
        { p: projectId },
      );
      expect(executions.map((e) => e.job_run_id)).toEqual(['run_s0', 'run_s2', 'run_s3']);

      const refused = batch[6];
      const [letter] = await readTopic(config.kafka.brokers, config.kafka.topics.deadLetters, 1, 20_000, (l) => l.headers['dlq.offset'] === refused.offset);
      expect(letter.headers['dlq.reason']).toMatch(/^ClickHouse refused the event: VIOLATED_CONSTRAINT \(469\): /);
      expect(letter.value).toBe(refused.value?.toString());
    } finally {
      await store.command('ALTER TABLE {db:Identifier}.model_executions DROP CONSTRAINT refuse_poison');
    }
  });

  it('looks up more run and execution keys in one flush than one lookup query binds', async () => {
    const projectId = `proj_${randomBytes(3).toString('hex')}`;
    const count = 2500;
    const ids = Array.from({ length: count }, (_, i) => `run_many_${i}`);
    const histories = ids.map((id) => runEvents(id, projectId));
    const envelope = (runId: string) => ({ schema_version: 1, org_id: 'org_a', project_id: projectId, run_id: runId, actor: 'tok' });
    const report = (runId: string, at: string): RunEventEnvelope => ({
      ...envelope(runId),
      event_id: uuidv7(),
      type: 'model_executions.reported',
      occurred_at: at,
      payload: {
        executions: [
          {
            id: 'exec_1',
            model_name: `m_${runId}`,
            status: 'success',
            started_at: '2026-02-26T06:01:00Z',
            completed_at: null,
            rows_processed: null,
            bytes_processed: null,
            interval_start: null,
            interval_end: null,
          },
        ],
      },
    });
    await service.materialize(histories.flatMap(([created], i) => [message(created), message(report(ids[i], '2026-02-26T06:01:00.000Z'))]));
    // The second flush needs all 2,500 runs and executions back from ClickHouse.
    await service.materialize(
      histories.flatMap(([, running, success], i) => [message(running), message(report(ids[i], '2026-02-26T07:00:00.000Z')), message(success)]),
    );
    const [summary] = await store.query(
      z.record(z.string(), z.number()),
      `SELECT toUInt32(countIf(status = 'success')) AS success, toUInt32(countIf(event_count = 3)) AS complete FROM {db:Identifier}.runs FINAL WHERE project_id = {p:String}`,
      { p: projectId },
    );
    expect(summary).toEqual({ success: count, complete: count });
    const [executions] = await store.query(
      z.record(z.string(), z.number()),
      `SELECT toUInt32(count()) AS n, toUInt32(countIf(created_at = '2026-02-26 06:01:00.000' AND updated_at = '2026-02-26 07:00:00.000')) AS kept FROM {db:Identifier}.model_executions FINAL WHERE project_id = {p:String}`,
      { p: projectId },
    );
    expect(executions).toEqual({ n: count, kept: count });
  });
});
