/**
 * The change feed's page reads over one organisation's long history, in the engine (libs/clickhouse,
 * no HTTP): how a page's cost depends on how many of the organisation's events lie between its
 * cursor and the log's head. Baseline, same run, same slices: the history reads every page made
 * before slices with few of the organisation's events were read from their own rows (and that
 * such a slice with many still makes).
 */
import { rmSync } from 'node:fs';
import {
  ClickHouseStore,
  LogSlice,
  migrate,
  openClickHouse,
  OWN_ROWS_MAX_EVENTS,
  planSliceRead,
  selectExecutionChanges,
  selectRunChanges,
  SliceRead,
} from '@runstream/clickhouse';
import { BenchContext, scratch } from './context';
import { median } from './support';

const PARTITIONS = 6;
const EVENTS_PER_RUN = 10;
const EXECUTIONS_PER_RUN = 10;
const LIMIT = 500;
const ROUNDS = 7;
/** Cursors this many positions per partition behind the head (after ones at the head); then the middle and the start of the log. */
const BEHIND = [100, 1_000, 3_000, 10_000, 33_000];
/** Events other organisations wrote since a quiet organisation's follower caught up. */
const QUIET_EVENTS = 600_000;

export interface FeedPageRow {
  /** Where the cursor is. */
  cursor: string;
  /** Log positions between the cursor and the head, over every partition. */
  positions: number;
  /** p50 ms of this build's plan (counting the organisation's events in the slice), then of the page's two reads (runs, then executions), this build and the baseline. */
  plan: number;
  /** How this build read it. */
  read: SliceRead['kind'];
  runs: number;
  executions: number;
  baselineRuns: number;
  baselineExecutions: number;
}

export interface FeedPagesResult {
  runs: number;
  executions: number;
  generateSeconds: number;
  rows: FeedPageRow[];
}

/**
 * One organisation's history in log order: run n is created 30 s after run n-1 in partition n % 6,
 * its 10 events at consecutive offsets there (creation, then one report of executions each), its
 * current row at its last event; 50 projects, 200 models each. Executions' ids do not follow time,
 * as runner-chosen ids need not.
 */
async function generate(store: ClickHouseStore, runs: number): Promise<void> {
  const anchor = Date.UTC(2026, 10, 1);
  const run = `fromUnixTimestamp64Milli(toInt64({anchor:Int64} - ({runs:Int64} - n) * 30000), 'UTC') AS created,
    concat('run_', leftPad(lower(hex(toUnixTimestamp64Milli(created))), 12, '0'), '70008', leftPad(lower(hex(n)), 15, '0')) AS run_id,
    concat('proj_', toString(cityHash64(n) % 50)) AS project, n % ${PARTITIONS} AS partition,
    intDiv(n, ${PARTITIONS}) * ${EVENTS_PER_RUN} AS first_offset`;
  const params = { anchor, runs, rows: runs * EVENTS_PER_RUN };
  await store.command(
    `INSERT INTO {db:Identifier}.runs
       (org_id, project_id, id, job_id, job_name, cronjob_name, namespace, job_type, status, triggered_by, target_gateway,
        claimed_by, claim_id, start_time, end_time, duration_seconds, error_summary, telemetry_summary, created_at, updated_at,
        event_count, last_event_id, kafka_partition, kafka_offset)
     SELECT 'org_feed', project, run_id, 'job_1', 'job', 'nightly', '', 'run', 'success', 'scheduled', '', '', '',
            created, created + 60, 60, '', '{}', created, created + 60, ${EVENTS_PER_RUN}, generateUUIDv4(n), partition,
            first_offset + ${EVENTS_PER_RUN - 1}
     FROM (SELECT number AS n, ${run} FROM numbers({runs:UInt64}))`,
    params,
  );
  await store.command(
    `INSERT INTO {db:Identifier}.run_events
     SELECT generateUUIDv4(m), if(k = 0, 'run.created', 'model_executions.reported'), 1, 'org_feed', project, run_id,
            created + k, 'bench', '{}', partition, first_offset + k
     FROM (SELECT number AS m, intDiv(m, ${EVENTS_PER_RUN}) AS n, m % ${EVENTS_PER_RUN} AS k, ${run} FROM numbers({rows:UInt64}))`,
    params,
  );
  await store.command(
    `INSERT INTO {db:Identifier}.model_executions
       (org_id, project_id, model_name, id, job_run_id, cronjob_name, status, started_at, completed_at, duration_seconds,
        rows_processed, bytes_processed, interval_start, interval_end, created_at, updated_at, version)
     SELECT 'org_feed', project, concat('model_', toString(cityHash64(n, i) % 200)), concat('exec_', toString(m)), run_id, 'nightly',
            'success', created, created + 5, 5, 100, 1000, NULL, NULL, created, created + 5,
            (first_offset + 1 + i % ${EVENTS_PER_RUN - 1}) * 10000 + i
     FROM (SELECT number AS m, intDiv(m, ${EXECUTIONS_PER_RUN}) AS n, m % ${EXECUTIONS_PER_RUN} AS i, ${run}
           FROM numbers({rows:UInt64}))`,
    params,
  );
  for (const table of ['runs', 'run_events', 'model_executions']) {
    await store.command('OPTIMIZE TABLE {db:Identifier}.{table:Identifier} FINAL', { table });
  }
}

async function timed(read: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await read();
  return performance.now() - started;
}

const HISTORY: SliceRead = { kind: 'history' };

/** p50 of each step, this build's and the baseline's alternating; a caught-up slice is planned without a query. */
async function measureSlice(store: ClickHouseStore, slice: LogSlice): Promise<Omit<FeedPageRow, 'cursor' | 'positions'>> {
  const t = { plan: [] as number[], runs: [] as number[], executions: [] as number[], baselineRuns: [] as number[], baselineExecutions: [] as number[] };
  let read: SliceRead = { kind: 'none' };
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const planned = performance.now();
    read = await planSliceRead(store, slice);
    const times = {
      plan: performance.now() - planned,
      runs: await timed(() => selectRunChanges(store, slice, read)),
      executions: await timed(() => selectExecutionChanges(store, slice, read)),
      baselineRuns: await timed(() => selectRunChanges(store, slice, HISTORY)),
      baselineExecutions: await timed(() => selectExecutionChanges(store, slice, HISTORY)),
    };
    if (round === 0) continue; // warm-up
    for (const key of Object.keys(t) as (keyof typeof t)[]) t[key].push(times[key]);
  }
  const p50 = (values: number[]) => Math.round(median(values) * 10) / 10;
  return {
    plan: p50(t.plan),
    read: read.kind,
    runs: p50(t.runs),
    executions: p50(t.executions),
    baselineRuns: p50(t.baselineRuns),
    baselineExecutions: p50(t.baselineExecutions),
  };
}

export async function benchFeedPages(ctx: BenchContext): Promise<FeedPagesResult> {
  const path = scratch('feed-pages');
  rmSync(path, { recursive: true, force: true });
  const store = openClickHouse({ path, database: 'feed' });
  try {
    await migrate(store);
    const runs = ctx.quick ? 100_000 : 1_000_000;
    const started = performance.now();
    await generate(store, runs);
    const generateSeconds = Math.round((performance.now() - started) / 100) / 10;
    const head = Array.from({ length: PARTITIONS }, (_, p) => BigInt(Math.ceil((runs - p) / PARTITIONS) * EVENTS_PER_RUN));
    const quiet = head.map((end) => end + BigInt(QUIET_EVENTS / PARTITIONS));
    const cursors: [string, bigint[], bigint[]][] = [
      ['at the head (a caught-up poll)', head, head],
      [`at the head, ${QUIET_EVENTS.toLocaleString('en')} events of other organisations since`, head, quiet],
      ...BEHIND.map((behind): [string, bigint[], bigint[]] => [
        `${(behind * PARTITIONS).toLocaleString('en')} events behind the head`,
        head.map((end) => (end > behind ? end - BigInt(behind) : 0n)),
        head,
      ]),
      ['the middle of the log', head.map((end) => end / 2n), head],
      ['the start of the log', head.map(() => 0n), head],
    ];
    const rows: FeedPageRow[] = [];
    for (const [cursor, from, to] of cursors) {
      const positions = Number(to.reduce((sum, end, p) => sum + end - from[p], 0n));
      rows.push({ cursor, positions, ...(await measureSlice(store, { org_id: 'org_feed', from, to, limit: LIMIT + 1 })) });
    }
    return { runs, executions: runs * EXECUTIONS_PER_RUN, generateSeconds, rows };
  } finally {
    await store.close();
    rmSync(path, { recursive: true, force: true });
  }
}

export function feedPagesReport(f: FeedPagesResult): string {
  const ratio = (ours: number, base: number) => `${(ours / base).toFixed(2)}×`;
  const rows = f.rows.map((r) => {
    const page = r.plan + r.runs + r.executions;
    return `| ${r.cursor} | ${r.positions.toLocaleString('en')} | ${r.read} | ${r.plan} | ${r.runs} / ${r.baselineRuns} | ${r.executions} / ${r.baselineExecutions} | ${ratio(page, r.baselineRuns + r.baselineExecutions)} |`;
  });
  return `## Change feed pages over a long history (issue 16)

One organisation's log of ${(f.runs * EVENTS_PER_RUN).toLocaleString('en')} events on ${PARTITIONS} partitions, generated in the engine in log order
(${f.runs.toLocaleString('en')} runs, each created 30 s after the last, with ${EXECUTIONS_PER_RUN} executions reported by its next ${EVENTS_PER_RUN - 1} events;
${f.executions.toLocaleString('en')} executions in all, ${f.generateSeconds} s to generate and merge). A page of the organisation's feed
(\`limit=${LIMIT}\`) counts the organisation's events in its slice (up to ${OWN_ROWS_MAX_EVENTS.toLocaleString('en')} + 1, in \`run_events\`), then makes
two reads, runs and executions: from the slice's own rows when it holds at most ${OWN_ROWS_MAX_EVENTS.toLocaleString('en')} of those events (\`own-rows\`: the
row versions written since the first of them, found by skip indexes on \`runs.kafka_offset\` and \`model_executions.version\`,
migrations 0032–0035, newest per key, executions joined to the slice's events for their partitions), from the organisation's
history otherwise, and none when it holds none. Timed in the engine through libs/clickhouse: p50 of ${ROUNDS}, this build and the
baseline alternating. The baseline is the history reads every page made until 2026-11-27: \`runs FINAL\` and
\`model_executions FINAL\` over the organisation, executions joined to all its runs for their partitions. A caught-up poll (cursor
at the head) is answered by the service without any read; one whose slice holds only other organisations' events pays the count.

| cursor | log positions to the end of the slice | read | count ms | runs read ms (this / baseline) | executions read ms (this / baseline) | page / baseline |
|---|---|---|---|---|---|---|
${rows.join('\n')}

The own-rows reads cost what the slice holds, not the history; the executions read still touches every granule holding one
execution written since the slice's first event, as executions are ordered by model and id, not by time.
`;
}
