/**
 * The change feed's page reads over one organisation's long history, in the engine (libs/clickhouse,
 * no HTTP): how a page's cost depends on how far its cursor is from the log's head. Baseline, same
 * run, same slices: the whole-history reads every page made before narrow slices were read from
 * their own rows (still the reads of a wide slice), forced by a slice that also spans an empty
 * partition of a trillion positions.
 */
import { rmSync } from 'node:fs';
import { ClickHouseStore, LogSlice, migrate, NARROW_SLICE_SHARE, openClickHouse, selectExecutionChanges, selectRunChanges } from '@runstream/clickhouse';
import { BenchContext, scratch } from './context';
import { median } from './support';

const PARTITIONS = 6;
const EVENTS_PER_RUN = 10;
const EXECUTIONS_PER_RUN = 10;
const LIMIT = 500;
const ROUNDS = 7;
/** Cursors this many positions per partition behind the head (after one at the head); then the middle and the start of the log. */
const BEHIND = [100, 1_000, 10_000, 33_000];

export interface FeedPageRow {
  /** Where the cursor is. */
  cursor: string;
  /** Log positions between the cursor and the head, over every partition. */
  positions: number;
  /** p50 ms of the page's two reads (runs, then executions), this build and the baseline. */
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

/** p50 of each read, this build's and the baseline's alternating; an empty slice is read by no one since the service answers it itself. */
async function measureSlice(store: ClickHouseStore, slice: LogSlice): Promise<Omit<FeedPageRow, 'cursor' | 'positions'>> {
  const whole: LogSlice = { ...slice, from: [...slice.from, 0n], to: [...slice.to, 1_000_000_000_000n] };
  const empty = slice.from.every((from, p) => from >= slice.to[p]);
  const t = { runs: [] as number[], executions: [] as number[], baselineRuns: [] as number[], baselineExecutions: [] as number[] };
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const times = {
      runs: empty ? 0 : await timed(() => selectRunChanges(store, slice)),
      executions: empty ? 0 : await timed(() => selectExecutionChanges(store, slice)),
      baselineRuns: await timed(() => selectRunChanges(store, whole)),
      baselineExecutions: await timed(() => selectExecutionChanges(store, whole)),
    };
    if (round === 0) continue; // warm-up
    for (const key of Object.keys(t) as (keyof typeof t)[]) t[key].push(times[key]);
  }
  const p50 = (values: number[]) => Math.round(median(values) * 10) / 10;
  return { runs: p50(t.runs), executions: p50(t.executions), baselineRuns: p50(t.baselineRuns), baselineExecutions: p50(t.baselineExecutions) };
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
    const cursors: [string, bigint[]][] = [
      ['at the head (a caught-up poll)', head],
      ...BEHIND.map((behind): [string, bigint[]] => [
        `${behind.toLocaleString('en')} behind the head`,
        head.map((end) => (end > behind ? end - BigInt(behind) : 0n)),
      ]),
      ['the middle of the log', head.map((end) => end / 2n)],
      ['the start of the log', head.map(() => 0n)],
    ];
    const rows: FeedPageRow[] = [];
    for (const [cursor, from] of cursors) {
      const positions = Number(head.reduce((sum, end, p) => sum + end - from[p], 0n));
      rows.push({ cursor, positions, ...(await measureSlice(store, { org_id: 'org_feed', from, to: head, limit: LIMIT + 1 })) });
    }
    return { runs, executions: runs * EXECUTIONS_PER_RUN, generateSeconds, rows };
  } finally {
    await store.close();
    rmSync(path, { recursive: true, force: true });
  }
}

export function feedPagesReport(f: FeedPagesResult): string {
  const ratio = (ours: number, base: number) => `${(ours / base).toFixed(2)}×`;
  const rows = f.rows.map(
    (r) =>
      `| ${r.cursor} | ${r.positions.toLocaleString('en')} | ${r.runs} / ${r.baselineRuns} | ${r.executions} / ${r.baselineExecutions} | ${ratio(r.runs + r.executions, r.baselineRuns + r.baselineExecutions)} |`,
  );
  return `## Change feed pages over a long history (issue 16)

One organisation's log of ${(f.runs * EVENTS_PER_RUN).toLocaleString('en')} events on ${PARTITIONS} partitions, generated in the engine in log order
(${f.runs.toLocaleString('en')} runs, each created 30 s after the last, with ${EXECUTIONS_PER_RUN} executions reported by its next ${EVENTS_PER_RUN - 1} events;
${f.executions.toLocaleString('en')} executions in all, ${f.generateSeconds} s to generate and merge). A page of the organisation's feed
(\`limit=${LIMIT}\`) makes two reads, runs and executions, timed in the engine through libs/clickhouse: p50 of ${ROUNDS}, this build and the
baseline alternating. The baseline is the whole-history reads, which every page made until 2026-11-27 and a slice holding more than
${NARROW_SLICE_SHARE * 100}% of the log's positions still makes: \`runs FINAL\` and \`model_executions FINAL\` over the organisation, joined to all its runs for their
partitions. A caught-up follower's poll (cursor at the head) now makes no read (0 ms below).

| cursor | positions to the head | runs read ms (this / baseline) | executions read ms (this / baseline) | page / baseline |
|---|---|---|---|---|
${rows.join('\n')}

A slice of at most ${NARROW_SLICE_SHARE * 100}% of the log's positions is read from its own rows: the row versions written since the cursor, found by skip indexes
on \`runs.kafka_offset\` and \`model_executions.version\` (migrations 0032–0035), newest per key, executions joined to the slice's
events for their partitions. Its cost follows the slice, not the history; the executions read still touches every granule holding
one execution written since the cursor, and executions are ordered by model and id, not by time. Wider slices (a follower far
behind, or a first read from the start) keep the whole-history reads.
`;
}
