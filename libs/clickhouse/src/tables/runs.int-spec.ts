import { uuidv7 } from '@runstream/events';
import { z } from 'zod';
import { isolatedEnv } from '@runstream/testing';
import { runRow } from '../../../../test/support/run-rows';
import { migrate } from '../migrate';
import { ClickHouseStore, openClickHouse } from '../store';
import type { RunRow } from './runs.table';
import { toChDateTime } from '../time';
import { KEYS_FIRST_FROM_OFFSET } from './page-query';
import { findRun, findRunLocation, insertRuns, listRuns, RunFilter } from './runs.table';

const DAY = 86_400_000;

describe('runs: one run by id', () => {
  let store: ClickHouseStore;

  beforeAll(async () => {
    const env = isolatedEnv('runs-by-id');
    store = openClickHouse({ url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' });
    await migrate(store);
  });

  afterAll(async () => {
    await store.close();
  });

  const mintedAt = Date.UTC(2026, 1, 26, 6);
  const v7Id = (at: number) => `run_${uuidv7(at).replace(/-/g, '')}`;
  const createdAt = (at: number) => toChDateTime(new Date(at));

  it('finds a run near the time its id was minted, across a month boundary, and its newest version', async () => {
    const id = v7Id(Date.UTC(2026, 1, 28, 23, 59, 59, 999));
    await insertRuns(store, [
      runRow({ id, created_at: createdAt(Date.UTC(2026, 2, 1, 0, 0, 0, 2)), status: 'running', kafka_offset: '1' }),
      runRow({ id, created_at: createdAt(Date.UTC(2026, 2, 1, 0, 0, 0, 2)), status: 'success', kafka_offset: '2' }),
    ]);
    expect(await findRun(store, 'org1', id)).toMatchObject({ id, status: 'success' });
    expect(await findRunLocation(store, 'org1', id)).toEqual({
      org_id: 'org1',
      project_id: 'p1',
      status: 'success',
      target_gateway: '',
      claimed_by: '',
      claim_id: '',
    });
  });

  it('finds a run created far from its id time, and one whose id is no UUIDv7 (a schedule tick hash)', async () => {
    const late = v7Id(mintedAt + 1);
    const hashed = 'run_0123456789ab7def8123456789abcdef'; // reads as a UUIDv7 of 1970, created in 2026
    const plain = 'run_nightly-2026-02-26';
    await insertRuns(store, [
      runRow({ id: late, created_at: createdAt(mintedAt + 40 * DAY) }),
      runRow({ id: hashed, created_at: createdAt(mintedAt) }),
      runRow({ id: plain, created_at: createdAt(mintedAt) }),
    ]);
    for (const id of [late, hashed, plain]) expect((await findRun(store, 'org1', id))?.id).toBe(id);
  });

  it("answers undefined for a run that does not exist or is another organisation's", async () => {
    const id = v7Id(mintedAt + 2);
    await insertRuns(store, [runRow({ id, org_id: 'org2', created_at: createdAt(mintedAt) })]);
    expect(await findRun(store, 'org1', id)).toBeUndefined();
    expect(await findRunLocation(store, 'org1', v7Id(mintedAt + 3))).toBeUndefined();
    expect((await findRun(store, 'org2', id))?.org_id).toBe('org2');
  });
});

describe('runs: pages at any depth', () => {
  let store: ClickHouseStore;
  // Past the offset where pages are found by their keys first; three runs share each created_at.
  const RUNS = KEYS_FIRST_FROM_OFFSET + 60;
  const created = (n: number) => toChDateTime(new Date(Date.UTC(2026, 0, 1) + Math.floor(n / 3) * 60_000));
  const REDONE = Array.from({ length: RUNS }, (_, n) => n).filter((n) => n % 1000 === 0);

  beforeAll(async () => {
    const env = isolatedEnv('runs-deep-pages');
    store = openClickHouse({ url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' });
    await migrate(store);
    const row = (n: number, fields: Partial<RunRow> = {}) =>
      runRow({ id: `run_deep_${n}`, project_id: 'deep', created_at: created(n), updated_at: created(n), kafka_offset: '1', ...fields });
    await insertRuns(
      store,
      Array.from({ length: RUNS }, (_, n) => row(n)),
    );
    // A second version of every 1,000th run, in a part of its own: done, updated later.
    const later = toChDateTime(new Date(Date.UTC(2026, 5, 1)));
    await insertRuns(
      store,
      REDONE.map((n) => row(n, { status: 'success', updated_at: later, kafka_offset: '2' })),
    );
  });

  afterAll(async () => {
    await store.close();
  });

  /** Ids in the page order, at their latest version, as FINAL alone answers. */
  async function reference(updatedAfter = '1970-01-01 00:00:00.000', status?: string): Promise<string[]> {
    const rows = await store.query(
      z.object({ id: z.string(), status: z.string() }),
      `SELECT id, status FROM {db:Identifier}.runs FINAL
       WHERE org_id = 'org1' AND project_id = 'deep' AND updated_at > {after:DateTime64(3, 'UTC')}
         AND ({status:Nullable(String)} IS NULL OR status = {status:Nullable(String)})
       ORDER BY created_at DESC, id DESC`,
      { after: updatedAfter, status: status ?? null },
    );
    return rows.map((r) => `${r.id}:${r.status}`);
  }

  const page = async (filter: RunFilter, offset: number, limit: number) => (await listRuns(store, filter, { offset, limit })).map((r) => `${r.id}:${r.status}`);

  it('answers the rows FINAL orders there, on either side of where keys are read first', async () => {
    const filter = { org_id: 'org1', project_id: 'deep' };
    const expected = await reference();
    expect(expected).toHaveLength(RUNS);
    for (const offset of [KEYS_FIRST_FROM_OFFSET - 30, KEYS_FIRST_FROM_OFFSET - 1, KEYS_FIRST_FROM_OFFSET, RUNS - 7]) {
      expect(await page(filter, offset, 50)).toEqual(expected.slice(offset, offset + 50));
    }
    expect(await page(filter, RUNS, 50)).toEqual([]);
  });

  it("filters on each run's latest version at depth", async () => {
    const running = await reference(undefined, 'running');
    expect(running).toHaveLength(RUNS - REDONE.length);
    const offset = KEYS_FIRST_FROM_OFFSET;
    expect(await page({ org_id: 'org1', project_id: 'deep', status: 'running' }, offset, 50)).toEqual(running.slice(offset, offset + 50));
    const after = '2026-03-01 00:00:00.000';
    const updated = await reference(after);
    expect(updated).toHaveLength(REDONE.length);
    expect(await page({ org_id: 'org1', project_id: 'deep', updated_after: after }, 0, 500)).toEqual(updated);
  });
});
