import { uuidv7 } from '@runstream/events';
import { isolatedEnv } from '@runstream/testing';
import { runRow } from '../../../../test/support/run-rows';
import { migrate } from '../migrate';
import { ClickHouseStore, openClickHouse } from '../store';
import { toChDateTime } from '../time';
import { findRun, findRunLocation, insertRuns } from './runs.table';

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
