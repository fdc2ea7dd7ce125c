import { ClickHouseStore, insertRunDaily, insertRuns, migrate, openClickHouse, RunRow, toChDateTime, toRunDailyRow } from '@runstream/clickhouse';
import { Caller } from '@runstream/http';
import { isolatedEnv } from '@runstream/testing';
import { runRow } from '../../../../test/support/run-rows';
import { ListRunsQueryDto } from './dto/list-runs.query.dto';
import { RunRepository } from './run.repository';
import { RunService } from './run.service';

const ORG = 'org_page';
const PROJECT = 'proj_page';
const caller: Caller = { orgId: ORG, tokenId: 'tok', kind: 'user', gateway: '' };
const STATUSES = ['success', 'failed', 'running', 'error'] as const;

function run(n: number, day: number, version: number, status: string): RunRow {
  // Several runs share a created_at, so ties are broken by id across the day boundaries too.
  const created = toChDateTime(Date.UTC(2026, 10, day, 23 - (n % 7), 0, 0));
  return runRow({
    org_id: ORG,
    project_id: PROJECT,
    id: `run_${String(n).padStart(3, '0')}`,
    job_name: `job ${n}`,
    cronjob_name: n % 3 === 0 ? 'hourly' : 'nightly',
    job_type: n % 5 === 0 ? 'plan' : 'run',
    status,
    created_at: created,
    updated_at: created,
    event_count: version,
    kafka_offset: String(1000 * version + n),
  });
}

function query(fields: Partial<ListRunsQueryDto>): ListRunsQueryDto {
  return Object.assign(new ListRunsQueryDto(), { include_stats: false }, fields);
}

/** Runs per day across three months (with empty days), each run rewritten once: what the page must show. */
const DAY_SIZES: [number, number][] = [
  [3, 9],
  [4, 0],
  [5, 14],
  [9, 1],
  [17, 22],
  [25, 6],
];

describe('runs page read from the days that hold it (run_daily counts, then runs)', () => {
  let store: ClickHouseStore;
  let service: RunService;
  let repository: RunRepository;
  const latest = new Map<string, RunRow>();
  /** Every runs read the service made: bounded to a day range or not, and whether a full page came back. */
  let reads: { bounded: boolean; full: boolean }[] = [];

  beforeAll(async () => {
    const env = isolatedEnv('run-page');
    store = openClickHouse({ path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' });
    await migrate(store);
    repository = new RunRepository(store);
    service = new RunService(repository);
    const list = repository.list.bind(repository);
    jest.spyOn(repository, 'list').mockImplementation(async (filter, page, createdFrom) => {
      const rows = await list(filter, page, createdFrom);
      reads.push({ bounded: createdFrom !== undefined, full: rows.length === page.limit });
      return rows;
    });
    let n = 0;
    for (const [month, [day, size]] of [9, 10, 11].flatMap((month) => DAY_SIZES.map((d) => [month, d] as const))) {
      const first: RunRow[] = [];
      const second: RunRow[] = [];
      for (let i = 0; i < size; i += 1, n += 1) {
        const created = run(n, day, 1, 'running');
        created.created_at = created.created_at.replace('2026-11', `2026-${String(month).padStart(2, '0')}`);
        // Half the runs are updated in November whenever they were created; a fifth carry a
        // later updated_at on their first version than on their latest (clocks of two ingest hosts).
        const updatedAt = n % 2 === 0 ? created.updated_at : created.created_at;
        first.push({ ...created, updated_at: n % 5 === 0 ? '2026-12-01 00:00:00.000' : created.created_at });
        const status = STATUSES[n % 4];
        const duration = status === 'success' && n % 8 !== 0 ? 30 + ((n * 7.3) % 400) : null;
        second.push({ ...created, status, duration_seconds: duration, updated_at: updatedAt, kafka_offset: String(2000 + n), event_count: 2 });
      }
      for (const rows of [first, second]) {
        await insertRunDaily(store, rows.map(toRunDailyRow));
        await insertRuns(store, rows);
      }
      for (const row of second) latest.set(row.id, row);
    }
  });

  afterAll(async () => {
    repository.onModuleDestroy();
    await store.close();
  });

  function expected(fields: Partial<ListRunsQueryDto>): { ids: string[]; total: number; stats: Record<string, unknown> } {
    const matching = [...latest.values()]
      .filter(
        (r) => (fields.status === undefined || r.status === fields.status) && (fields.cronjob_name === undefined || r.cronjob_name === fields.cronjob_name),
      )
      .filter((r) => fields.job_type === undefined || r.job_type === fields.job_type)
      .filter((r) => fields.updated_after === undefined || r.updated_at > toChDateTime(fields.updated_after))
      .sort((a, b) => (a.created_at === b.created_at ? b.id.localeCompare(a.id) : b.created_at.localeCompare(a.created_at)));
    const limit = fields.limit ?? 50;
    const offset = ((fields.page ?? 1) - 1) * limit;
    const timed = matching.filter((r) => r.status === 'success' && r.duration_seconds !== null).map((r) => r.duration_seconds as number);
    const stats = {
      project_id: PROJECT,
      total_runs: matching.length,
      successful_runs: matching.filter((r) => r.status === 'success').length,
      failed_runs: matching.filter((r) => r.status === 'failed').length,
      error_runs: matching.filter((r) => r.status === 'error').length,
      avg_success_duration: timed.length === 0 ? null : Math.round((timed.reduce((a, b) => a + b, 0) / timed.length) * 1000) / 1000,
    };
    return { ids: matching.slice(offset, offset + limit).map((r) => r.id), total: matching.length, stats };
  }

  it('serves every page of every filter exactly as a sort of all runs would', async () => {
    reads = [];
    const filters: Partial<ListRunsQueryDto>[] = [
      {},
      { status: 'failed' },
      { cronjob_name: 'hourly' },
      { cronjob_name: 'nightly', status: 'success' },
      { job_type: 'plan' },
      { updated_after: '2026-10-15T00:00:00Z' },
      { updated_after: '2026-11-20T00:00:00Z', status: 'success' },
      { updated_after: '2026-09-01T00:00:00Z', cronjob_name: 'hourly' },
    ];
    for (const filter of filters) {
      for (const limit of [1, 7, 25, 200]) {
        for (let page = 1; page <= Math.ceil(160 / limit) + 1; page += 1) {
          const fields = { ...filter, limit, page };
          // Stats on every other page: with and without them, the same page and total.
          const answer = await service.list(PROJECT, query({ ...fields, include_stats: page % 2 === 0 }), caller);
          const want = expected(fields);
          expect({ fields, ids: answer.runs.map((r) => r.id), total: answer.total, stats: answer.stats }).toEqual({
            fields,
            ids: want.ids,
            total: want.total,
            stats: page % 2 === 0 ? want.stats : undefined,
          });
        }
      }
    }
    // The counts placed every bounded read right: none came back short, so none was read twice.
    expect(reads.filter((read) => read.bounded && !read.full)).toEqual([]);
    // The unfiltered one-run pages alone are 156 of them (pages past the end and job_type's read every day).
    expect(reads.filter((read) => read.bounded).length).toBeGreaterThan(156);
  });

  it('reads the page again over every day when run_daily is ahead of runs (a flush between its two writes)', async () => {
    // A new run written to run_daily only: its day counts claim one run more than runs holds.
    const ahead = run(999, 28, 1, 'running');
    await insertRunDaily(store, [toRunDailyRow(ahead)]);
    reads = [];
    const want = expected({ limit: 7, page: 1 });
    const answer = await service.list(PROJECT, query({ limit: 7, page: 1 }), caller);
    expect(answer.runs.map((r) => r.id)).toEqual(want.ids);
    expect(reads).toEqual([
      { bounded: true, full: false },
      { bounded: false, full: true },
    ]);
    // The total is run_daily's, one ahead until the flush writes runs too.
    expect(answer.total).toBe(want.total + 1);
  });
});
