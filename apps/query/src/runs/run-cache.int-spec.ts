import { ClickHouseStore, findRun, insertRuns, migrate, openClickHouse, RunRow } from '@runstream/clickhouse';
import { eventually, http, isolatedEnv } from '@runstream/testing';
import { RunEventsConsumer } from '../../../materializer/src/consumer/run-events.consumer';
import { runRow } from '../../../../test/support/run-rows';
import { bearer, startStack, Stack } from '../../../../test/support/stack';
import { RunRepository } from './run.repository';

function version(id: string, offset: number): RunRow {
  return runRow({
    id,
    job_name: `job at ${offset}`,
    telemetry_summary: JSON.stringify({ progress: offset }),
    event_count: offset,
    kafka_offset: String(offset),
  });
}

/** UInt64 comes back as a number or a quoted string depending on the engine's JSON settings. */
const offsetOf = (row: RunRow | undefined) => (row ? Number(row.kafka_offset) : 0);

describe('single-run cache on embedded chDB', () => {
  let store: ClickHouseStore;
  let repository: RunRepository;
  let queries = 0;

  beforeAll(async () => {
    const env = isolatedEnv('run-cache');
    store = openClickHouse({ path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' });
    await migrate(store);
    repository = new RunRepository(store.observedBy({ statement: (kind) => void (kind === 'query' && (queries += 1)) }));
  });

  afterAll(async () => {
    repository.onModuleDestroy();
    await store.close();
  });

  it('serves a run read twice with one engine call, and its new state as soon as the write returned', async () => {
    await insertRuns(store, [version('run-a', 1)]);
    const before = queries;
    expect(offsetOf(await repository.find('org1', 'run-a'))).toBe(1);
    expect(offsetOf(await repository.find('org1', 'run-a'))).toBe(1);
    expect(queries - before).toBe(1);
    await insertRuns(store, [version('run-a', 2)]);
    expect(await repository.find('org1', 'run-a')).toMatchObject({ job_name: 'job at 2', telemetry_summary: '{"progress":2}', event_count: 2 });
    expect(await repository.find('org2', 'run-a')).toBeUndefined();
  });

  it('never answers older than the last write that returned before the read began, under concurrent reads and writes', async () => {
    let committed = 0;
    let writing = true;
    const stale: string[] = [];
    const readers = Array.from({ length: 8 }, async () => {
      while (writing) {
        const floor = committed;
        const row = await repository.find('org1', 'run-b');
        const seen = offsetOf(row);
        if (seen < floor) stale.push(`saw ${seen} after ${floor} was written`);
        // A hit never leaves the microtask queue: yield so the writer gets its turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    for (let offset = 1; offset <= 40; offset += 1) {
      await insertRuns(store, [version('run-b', offset)]);
      committed = offset;
      expect(offsetOf(await repository.find('org1', 'run-b'))).toBe(offset);
      // Let readers fill the cache between writes.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    writing = false;
    await Promise.all(readers);
    expect(stale).toEqual([]);
  });
});

describe('single-run cache through the materializer', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('run-cache-stack');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers every change of a polled run as soon as the materializer committed it', async () => {
    const user = bearer(stack.tokens.user);
    const { body } = await http<{ id: string }>(
      'POST',
      `${stack.ingestUrl}/api/elt/runs`,
      { projectId: 'proj_cache', jobName: 'polled', jobType: 'run', triggeredBy: 'scheduled' },
      user,
    );
    const get = async () => (await http<{ status: string }>('GET', `${stack.queryUrl}/api/v1/runs/${body.id}`, undefined, user)).body;
    await eventually(async () => ((await get()).status ? true : undefined), 'the run to be materialized');
    const consumer = stack.materializer.get(RunEventsConsumer).consumer;
    const store = stack.materializer.get(ClickHouseStore);
    for (const [written, served] of [
      ['running', 'running'],
      ['succeeded', 'success'],
    ]) {
      expect((await get()).status).not.toBe(served);
      await get(); // now cached
      await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${body.id}`, { status: written }, user);
      // Committed, and the change is in the table (so the event was not still on its way to Kafka).
      const committed = async () => (await findRun(store, stack.orgId, body.id))?.status === served && (await consumer.lag()).every((p) => p.lag === 0);
      await eventually(async () => ((await committed()) ? true : undefined), 'the materializer to commit the change');
      expect((await get()).status).toBe(served);
    }
  });
});
