import { INestApplicationContext } from '@nestjs/common';
import { createKafka } from '@runstream/kafka';
import { eventually, http } from '@runstream/testing';
import { loadMaterializerConfig } from '../../apps/materializer/src/config/materializer.config';
import { RunEventsConsumer } from '../../apps/materializer/src/consumer/run-events.consumer';
import { createMaterializerApp } from '../../apps/materializer/src/materializer.app';
import { rebuildReadModels } from '../../apps/materializer/src/rebuild/rebuild';
import { bearer, startStack, Stack } from '../support/stack';
import { OverlapPoller } from '../faults/support/overlap-poller';

interface Entity {
  id: string;
  status: string;
  updated_at: string;
  model_name?: string;
}
interface FeedChange {
  type: 'run' | 'model_execution';
  run?: Entity;
  model_execution?: Entity;
  log_position: string;
}
interface FeedPage {
  changes: FeedChange[];
  next_cursor: string;
  has_more: boolean;
}

const WRITERS = 4;
const RUNS_PER_WRITER = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))];

/**
 * Writers create and update runs and model executions while an exporter follows the change
 * feed; midway the materializer stops, its group is rewound (a replay of everything already
 * materialized) and a new one starts; at the end the read models are rebuilt while the
 * exporter keeps following. The exporter must end with exactly the truth: nothing missed,
 * nothing twice. The reference's 60 s-overlap polling runs beside it for comparison.
 */
describe('change feed: every change exactly once across restarts, replays and rebuilds', () => {
  let stack: Stack;
  let user: Record<string, string>;
  let materializer: INestApplicationContext;
  const projectId = 'proj_feed';

  const get = <T>(path: string) => http<T>('GET', `${stack.queryUrl}${path}`, undefined, user);
  const write = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await http<{ id: string }>(method, `${stack.ingestUrl}${path}`, body, { ...user, ...headers });
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}`);
    return response.body;
  };
  const caughtUp = async () => (await materializer.get(RunEventsConsumer).consumer.lag()).every((p) => p.lag === 0);

  beforeAll(async () => {
    stack = await startStack('change-feed', { MATERIALIZER_FLUSH_INTERVAL_MS: '50' });
    user = bearer(stack.tokens.user);
    materializer = stack.materializer;
  });

  afterAll(async () => {
    if (materializer !== stack?.materializer) await materializer?.close();
    await stack?.close();
  });

  it('delivers the truth with 0 missed and 0 duplicates; reports what 60 s-overlap polling discards', async () => {
    const finishedAt = new Map<string, number>();
    async function writer(w: number): Promise<void> {
      for (let r = 0; r < RUNS_PER_WRITER; r++) {
        const { id } = await write('POST', '/api/elt/runs', { projectId, jobName: `w${w}-r${r}`, cronjobName: `writer-${w}` });
        await write('PATCH', `/api/elt/runs/${id}`, { status: 'running', appendLog: { level: 'info', message: 'go' } });
        const execution = (model: string, seconds: number) => ({
          id: `${id}-${model}`,
          model_name: model,
          status: 'success',
          started_at: '2026-02-26T06:00:00Z',
          completed_at: new Date(Date.UTC(2026, 1, 26, 6) + seconds * 1000).toISOString(),
        });
        await write('POST', `/api/elt/runs/${id}/model-executions`, { executions: ['a', 'b', 'c'].map((m, k) => execution(`m.${m}`, 10 + k + r)) });
        // A re-report updates one execution: the feed must deliver its new state once more.
        await write('POST', `/api/elt/runs/${id}/model-executions`, { executions: [execution('m.a', 99 + r)] });
        await write('PATCH', `/api/elt/runs/${id}`, { status: r % 5 === 0 ? 'failed' : 'succeeded' }, { 'idempotency-key': `finish-${id}` });
        finishedAt.set(id, Date.now());
      }
    }

    // The exporter: follows cursors, small pages (so events' changes straddle page ends).
    const delivered = new Map<string, FeedChange>();
    const deliveries: string[] = [];
    const terminalSeenAt = new Map<string, number>();
    let cursor = '';
    let stopWhenCaughtUp = false;
    let gone = 0;
    let idlePages = 0;
    /** Waits until the exporter has read the feed to its end twice more (it has everything materialized now). */
    const exporterCaughtUp = async () => {
      const from = idlePages;
      await eventually(async () => (idlePages >= from + 2 ? true : undefined), 'the exporter to reach the end of the feed', 60_000);
    };
    async function exporter(): Promise<void> {
      for (;;) {
        const { status, body } = await get<FeedPage>(`/api/v1/projects/${projectId}/changes?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        if (status === 410) gone += 1;
        expect(status).toBe(200);
        for (const change of body.changes) {
          const entity = (change.run ?? change.model_execution) as Entity;
          const key = `${change.type}/${entity.id}`;
          deliveries.push(`${key}@${change.log_position}`);
          delivered.set(key, change);
          if (change.type === 'run' && ['success', 'failed'].includes(entity.status) && !terminalSeenAt.has(entity.id))
            terminalSeenAt.set(entity.id, Date.now());
        }
        cursor = body.next_cursor;
        if (!body.has_more) {
          idlePages += 1;
          if (stopWhenCaughtUp) return;
          await sleep(100);
        }
      }
    }

    // The reference client: polls every 500 ms with updated_after = last poll − 60 s, dedupes by id within a poll.
    const poller = new OverlapPoller({ queryUrl: stack.queryUrl, token: stack.tokens.user, projectId, intervalMs: 500, overlapMs: 60_000 });

    const exporting = exporter();
    const polling = poller.run();
    const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

    // Midway: stop the materializer, rewind its group to the start (everything replays), start a new one.
    await eventually(async () => (finishedAt.size >= (WRITERS * RUNS_PER_WRITER) / 2 ? true : undefined), 'half the runs', 120_000);
    await materializer.close();
    const config = loadMaterializerConfig(stack.env);
    const admin = createKafka(config.kafka).admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(config.kafka.topics.events);
    await admin.setOffsets({
      groupId: config.groupId,
      topic: config.kafka.topics.events,
      partitions: ends.map((p) => ({ partition: p.partition, offset: '0' })),
    });
    await admin.disconnect();
    await sleep(500);
    materializer = await createMaterializerApp(config, stack.env.LOG_LEVEL, false);

    await writing;
    await eventually(async () => ((await caughtUp()) ? true : undefined), 'the materializer to catch up', 120_000);

    // Then a rebuild with the materializer stopped, while the exporter keeps following.
    await exporterCaughtUp();
    await materializer.close();
    const before = deliveries.length;
    await rebuildReadModels(config);
    materializer = await createMaterializerApp(config, stack.env.LOG_LEVEL, false);
    await eventually(async () => ((await caughtUp()) ? true : undefined), 'the materializer after the rebuild', 60_000);
    await exporterCaughtUp();
    // The rebuild rewrote every row at the same log positions: nothing is delivered again.
    expect(deliveries.length).toBe(before);

    // Freshness on a quiet stack: runs finished one at a time, until the exporter sees each end.
    const quietFinishedAt = new Map<string, number>();
    for (let r = 0; r < 20; r++) {
      const { id } = await write('POST', '/api/elt/runs', { projectId, jobName: `quiet-${r}` });
      await write('PATCH', `/api/elt/runs/${id}`, { status: 'succeeded' });
      quietFinishedAt.set(id, Date.now());
      await eventually(async () => (terminalSeenAt.has(id) ? true : undefined), 'the exporter to see the run end');
    }
    await exporterCaughtUp();
    stopWhenCaughtUp = true;
    poller.stop();
    await Promise.all([exporting, polling]);

    // The truth: the read API's current runs and executions.
    const truth = new Map<string, Entity>();
    const runs = await get<{ runs: Entity[] }>(`/api/v1/projects/${projectId}/runs?include_stats=false&limit=500`);
    for (const run of runs.body.runs) truth.set(`run/${run.id}`, run);
    for (let page = 1; page <= 2; page++) {
      const executions = await get<{ executions: Entity[] }>(`/api/v1/projects/${projectId}/model-executions?limit=500&page=${page}`);
      for (const execution of executions.body.executions) truth.set(`model_execution/${execution.id}`, execution);
    }
    expect(truth.size).toBe(WRITERS * RUNS_PER_WRITER * 4 + 20);

    const latest = new Map([...delivered].map(([key, change]) => [key, (change.run ?? change.model_execution) as Entity]));
    const missed = [...truth].filter(([key, entity]) => JSON.stringify(latest.get(key) && pick(latest.get(key) as Entity)) !== JSON.stringify(pick(entity)));
    const duplicates = deliveries.length - new Set(deliveries).size;
    const pollerMissed = [...truth].filter(([key, entity]) => JSON.stringify(poller.latest.get(key)) !== JSON.stringify(entity));
    const lag = [...quietFinishedAt].flatMap(([id, at]) => (terminalSeenAt.has(id) ? [(terminalSeenAt.get(id) as number) - at] : []));
    console.log(
      [
        `change feed: ${deliveries.length} changes delivered for ${truth.size} entities, missed ${missed.length}, duplicates ${duplicates}, 410s ${gone}`,
        `60 s-overlap polling (every 500 ms): ${poller.received} records received, ${poller.discarded} duplicates discarded, missed ${pollerMissed.length}`,
        `feed freshness (finish accepted → delivered to the exporter, quiet stack), ${lag.length} runs: p50 ${quantile(lag, 0.5)} ms, p95 ${quantile(lag, 0.95)} ms`,
      ].join('\n'),
    );
    expect(missed).toEqual([]);
    expect(duplicates).toBe(0);
    expect(gone).toBe(0);
    // Each entity's versions arrive in log order.
    const positions = new Map<string, number[]>();
    for (const d of deliveries) {
      const [key, position] = d.split('@');
      positions.set(key, [...(positions.get(key) ?? []), Number(position.split(':')[1])]);
    }
    for (const offsets of positions.values()) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('answers 400 for a malformed or foreign cursor and 410 for a cursor into another log', async () => {
    const bad = await get<{ message: string }>(`/api/v1/projects/${projectId}/changes?cursor=nope!`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('cursor');
    const { body } = await get<FeedPage>(`/api/v1/projects/${projectId}/changes?limit=1`);
    const foreign = await get<{ message: string }>(`/api/v1/changes?cursor=${body.next_cursor}`);
    expect(foreign.status).toBe(400);
    // A position this log has reached, naming an event it does not hold there.
    const decoded = Buffer.from(body.next_cursor, 'base64url').toString('utf8');
    const forged = Buffer.from(decoded.replace(/:([0-9a-f]{8})/, ':00000000'), 'utf8').toString('base64url');
    const gone = await get<{ code: string; message: string }>(`/api/v1/projects/${projectId}/changes?cursor=${forged}`);
    expect(gone.status).toBe(410);
    expect(gone.body.code).toBe('CURSOR_EXPIRED');
    expect(gone.body.message).toContain('without a cursor');
  });
});

/** The fields both the feed and the list endpoints serve for an entity's state. */
function pick(entity: Entity): Entity {
  return { id: entity.id, status: entity.status, updated_at: entity.updated_at, model_name: entity.model_name };
}
