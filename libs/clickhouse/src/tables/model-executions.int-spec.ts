import { isolatedEnv } from '@runstream/testing';
import { z } from 'zod';
import { migrate } from '../migrate';
import { ClickHouseStore, openClickHouse } from '../store';
import { toChDateTime } from '../time';
import {
  countModelExecutions,
  ExecutionFilter,
  insertModelExecutions,
  listModelExecutions,
  ModelExecutionRow,
  ModelExecutionRowSchema,
} from './model-executions.table';
import { KEYS_FIRST_FROM_OFFSET } from './page-query';

const BASE = Date.UTC(2026, 1, 26, 6);

function execution(n: number, version: number, overrides: Partial<ModelExecutionRow> = {}): ModelExecutionRow {
  // Reports come in bursts: ten executions share each created_at.
  const created = toChDateTime(new Date(BASE + Math.floor(n / 10) * 1000));
  return {
    org_id: 'org1',
    project_id: 'p1',
    model_name: `model_${n % 3}`,
    id: `exec_${n}`,
    job_run_id: `run_${Math.floor(n / 10)}`,
    cronjob_name: n % 2 ? 'hourly' : 'daily',
    status: 'running',
    started_at: toChDateTime(new Date(BASE + n * 7_000)),
    completed_at: null,
    duration_seconds: null,
    rows_processed: null,
    bytes_processed: null,
    interval_start: null,
    interval_end: null,
    created_at: created,
    updated_at: created,
    version: String(version),
    ...overrides,
  };
}

describe('model_executions: the executions page', () => {
  const env = isolatedEnv('model-executions');
  const connection = { url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' };
  let store: ClickHouseStore;

  beforeAll(async () => {
    store = openClickHouse(connection);
    await migrate(store);
    // 250 executions reported running, in three inserts (three parts); then 120 of them done,
    // some with a corrected start, in two more: versions of one execution in different parts.
    for (const [from, to] of [
      [0, 80],
      [80, 170],
      [170, 250],
    ]) {
      await insertModelExecutions(
        store,
        Array.from({ length: to - from }, (_, i) => execution(from + i, 1)),
      );
    }
    for (const [from, to] of [
      [0, 60],
      [150, 210],
    ]) {
      const done = Array.from({ length: to - from }, (_, i) => from + i).map((n) =>
        execution(n, 2, {
          status: 'success',
          started_at: toChDateTime(new Date(BASE + n * 7_000 - (n % 4) * 60_000)),
          updated_at: toChDateTime(new Date(BASE + 3_600_000)),
        }),
      );
      await insertModelExecutions(store, done);
    }
    await insertModelExecutions(store, [execution(0, 1, { org_id: 'org2' })]);
  });

  afterAll(async () => {
    await store.close();
  });

  /** What FINAL answers, in the page's order: the reference every page is held to. */
  async function reference(filter: ExecutionFilter): Promise<string[]> {
    const rows = await store.query(
      ModelExecutionRowSchema.pick({ id: true, version: true }),
      `SELECT id, version FROM {db:Identifier}.model_executions FINAL
       WHERE org_id = {org:String} AND project_id = {project:String} AND ({model:Nullable(String)} IS NULL OR model_name = {model:Nullable(String)})
       ORDER BY created_at DESC, started_at DESC, id DESC, model_name DESC`,
      { org: filter.org_id, project: filter.project_id, model: filter.model_name ?? null },
    );
    return rows.map((r) => `${r.id}@${r.version}`);
  }

  const paged = async (filter: ExecutionFilter, limit: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let offset = 0; ; offset += limit) {
      const rows = await listModelExecutions(store, filter, { offset, limit });
      ids.push(...rows.map((r) => `${r.id}@${r.version}`));
      if (rows.length < limit) return ids;
    }
  };

  it('pages through every execution once, at its latest version, in the order FINAL gives', async () => {
    const filter = { org_id: 'org1', project_id: 'p1' };
    const expected = await reference(filter);
    expect(expected).toHaveLength(250);
    for (const limit of [1, 7, 10, 100, 500]) expect(await paged(filter, limit)).toEqual(expected);
    expect(await countModelExecutions(store, filter)).toBe(250);
  });

  it('is exact when one report of many executions is larger than a read', async () => {
    // 200 executions of project p2 first reported together (one created_at), then all done, in two parts.
    const burst = (version: number) =>
      Array.from({ length: 200 }, (_, n) =>
        execution(n, version, { project_id: 'p2', created_at: toChDateTime(new Date(BASE)), status: version === 1 ? 'running' : 'success' }),
      );
    await insertModelExecutions(store, burst(1));
    await insertModelExecutions(store, burst(2));
    const filter = { org_id: 'org1', project_id: 'p2' };
    const expected = await reference(filter);
    expect(expected.every((key) => key.endsWith('@2'))).toBe(true);
    expect(await paged(filter, 10)).toEqual(expected);
  });

  it('orders ties on id as ClickHouse orders String, by UTF-8 bytes', async () => {
    const tied = (id: string, version: number) => execution(0, version, { project_id: 'p3', id });
    await insertModelExecutions(store, [tied('\uFF5E', 1), tied('\u{1F600}', 2), tied('exec_a', 3)]);
    const filter = { org_id: 'org1', project_id: 'p3' };
    const page = await listModelExecutions(store, filter, { offset: 0, limit: 10 });
    expect(page.map((r) => `${r.id}@${r.version}`)).toEqual(await reference(filter));
  });

  it('does the same within one model', async () => {
    const filter = { org_id: 'org1', project_id: 'p1', model_name: 'model_1' };
    expect(await paged(filter, 9)).toEqual(await reference(filter));
  });

  it("reads a big model's last week first, and further back when the week does not hold the page", async () => {
    // Model `big` of project p4: 50 executions reported in the last hour, 4,950 more than a week ago; half reported twice.
    const now = Date.now();
    const createdAt = (n: number) => toChDateTime(new Date(n < 50 ? now - n * 60_000 : now - 8 * 86_400_000 - n * 60_000));
    const big = (n: number, version: number) =>
      execution(n, version, { project_id: 'p4', model_name: 'big', created_at: createdAt(n), status: version === 1 ? 'running' : 'success' });
    await insertModelExecutions(
      store,
      Array.from({ length: 5000 }, (_, n) => big(n, 1)),
    );
    await insertModelExecutions(
      store,
      Array.from({ length: 2500 }, (_, n) => big(2 * n, 2)),
    );
    const filter = { org_id: 'org1', project_id: 'p4', model_name: 'big' };
    const total = await countModelExecutions(store, filter);
    expect(total).toBe(5000);
    const expected = await reference(filter);
    for (let offset = 0; offset < 100; offset += 10) {
      const page = await listModelExecutions(store, filter, { offset, limit: 10 }, total);
      expect(page.map((r) => `${r.id}@${r.version}`)).toEqual(expected.slice(offset, offset + 10));
    }
  });

  it('answers the cronjob and updated_after filters on the latest version, in the same order', async () => {
    const hourly = await listModelExecutions(store, { org_id: 'org1', project_id: 'p1', cronjob_name: 'hourly' }, { offset: 0, limit: 500 });
    expect(hourly.map((r) => `${r.id}@${r.version}`)).toEqual(
      (await reference({ org_id: 'org1', project_id: 'p1' })).filter((key) => Number(key.split(/[_@]/)[1]) % 2 === 1),
    );
    const updated = await listModelExecutions(
      store,
      { org_id: 'org1', project_id: 'p1', updated_after: toChDateTime(new Date(BASE + 60_000)) },
      { offset: 0, limit: 500 },
    );
    expect(updated).toHaveLength(120);
    expect(updated.every((r) => r.status === 'success')).toBe(true);
  });

  it("answers one run's executions, at their latest version, counted alike", async () => {
    const run = await listModelExecutions(store, { org_id: 'org1', project_id: 'p1', job_run_id: 'run_15' }, { offset: 0, limit: 500 });
    const expected = (await reference({ org_id: 'org1', project_id: 'p1' })).filter((key) => Math.floor(Number(key.split(/[_@]/)[1]) / 10) === 15);
    expect(run.map((r) => `${r.id}@${r.version}`)).toEqual(expected);
    expect(expected).toHaveLength(10);
    expect(await countModelExecutions(store, { org_id: 'org1', project_id: 'p1', job_run_id: 'run_15' })).toBe(10);
    expect(await listModelExecutions(store, { org_id: 'org2', project_id: 'p1', job_run_id: 'run_15' }, { offset: 0, limit: 500 })).toEqual([]);
  });

  it('answers pages at any depth, with and without a filter, on either side of where keys are read first', async () => {
    // Twice the depth, so the hourly half alone reaches past it; every 1,000th (from the 2nd) is
    // reported again under the daily cronjob, which the hourly filter must see at its latest version.
    const count = 2 * KEYS_FIRST_FROM_OFFSET + 400;
    const deep = (n: number, version: number) =>
      execution(n, version, {
        project_id: 'p5',
        ...(version === 2 ? { status: 'success', cronjob_name: 'daily', updated_at: toChDateTime(new Date(BASE + 3_600_000)) } : {}),
      });
    await insertModelExecutions(
      store,
      Array.from({ length: count }, (_, n) => deep(n, 1)),
    );
    await insertModelExecutions(
      store,
      Array.from({ length: count }, (_, n) => n)
        .filter((n) => n % 1000 === 1)
        .map((n) => deep(n, 2)),
    );
    const expected = await reference({ org_id: 'org1', project_id: 'p5' });
    expect(expected).toHaveLength(count);
    for (const filter of [
      { org_id: 'org1', project_id: 'p5' },
      { org_id: 'org1', project_id: 'p5', updated_after: '1970-01-01 00:00:00.000' },
    ]) {
      for (const offset of [KEYS_FIRST_FROM_OFFSET - 5, KEYS_FIRST_FROM_OFFSET, count - 7, count]) {
        const page = await listModelExecutions(store, filter, { offset, limit: 50 });
        expect(page.map((r) => `${r.id}@${r.version}`)).toEqual(expected.slice(offset, offset + 50));
      }
    }
    const hourly = (
      await store.query(
        ModelExecutionRowSchema.pick({ id: true, version: true }),
        `SELECT id, version FROM {db:Identifier}.model_executions FINAL WHERE org_id = 'org1' AND project_id = 'p5' AND cronjob_name = 'hourly'
         ORDER BY created_at DESC, started_at DESC, id DESC, model_name DESC`,
      )
    ).map((r) => `${r.id}@${r.version}`);
    expect(hourly.length).toBeGreaterThan(KEYS_FIRST_FROM_OFFSET + 50);
    expect(hourly.every((key) => key.endsWith('@1'))).toBe(true);
    const offset = KEYS_FIRST_FROM_OFFSET;
    const page = await listModelExecutions(store, { org_id: 'org1', project_id: 'p5', cronjob_name: 'hourly' }, { offset, limit: 50 });
    expect(page.map((r) => `${r.id}@${r.version}`)).toEqual(hourly.slice(offset, offset + 50));
  });

  it("asks for no more row versions than the store's max_result_rows allows", async () => {
    // The same engine and database, under a result limit below the first read's size (84 for this page).
    const limited = openClickHouse({ ...connection, querySettings: { max_result_rows: '40', result_overflow_mode: 'throw' } });
    const filter = { org_id: 'org1', project_id: 'p1' };
    const page = await listModelExecutions(limited, filter, { offset: 0, limit: 10 });
    expect(page.map((r) => `${r.id}@${r.version}`)).toEqual((await reference(filter)).slice(0, 10));
  });

  it('reads the newest page from the executions_by_created projection, in order', async () => {
    const [plan] = await store.query(
      z.object({ explain: z.string() }),
      `SELECT arrayStringConcat(groupArray(explain), '\\n') AS explain FROM
         (EXPLAIN SELECT * FROM {db:Identifier}.model_executions WHERE org_id = 'org1' AND project_id = 'p1' ORDER BY created_at DESC LIMIT 100)`,
      {},
      { preferred_optimize_projection_name: 'executions_by_created' },
    );
    expect(plan.explain).toContain('executions_by_created');
  });
});
