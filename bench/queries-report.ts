/** Sections 4 (query latency, with the floor of a read) and 7 (growth), rendered from the query benchmark's figures. */
import { pass } from './context';
import { EXECUTIONS_PER_RUN } from './dataset';
import { FLOOR_NAME, FLOOR_RATIO, SINGLE_RUN_ENDPOINTS } from './floor';
import { ENDPOINTS, QueryResult, REQUESTS, SizeResult, WARMUP } from './queries';

export const count = (n: number) => (n >= 1e6 ? `${Math.round(n / 1e5) / 10} M` : `${Math.round(n / 1e4) / 100} M`);

export function queryReport(q: QueryResult): string {
  const largest = q.sizes[q.sizes.length - 1];
  const rows = ENDPOINTS.map((e) => {
    const l = largest.latencies[e.name];
    return `| ${e.name} | ${l.p50} | ${l.p95} | ${l.max} | ${e.target ? `< ${e.target} ms: ${pass(l.p95 < e.target)}` : '–'} |`;
  });
  const missed = ENDPOINTS.filter((e) => e.target && largest.latencies[e.name].p95 >= e.target);
  return `## 4. Query latency over ${count(largest.runs)} runs and ${count(largest.executions)} model executions

The run of 2026-11-27 (evening) met a fast hour (a chDB \`SELECT 1\` through the client took 1.2–1.5 ms), the one before it
(2026-11-26, evening) a machine about twice as slow for work with and without the engine (the concurrency section gives the
evidence): the floor below measured 12.9 ms p50 where that run measured 22.2 ms, and every endpoint's p95 fell by a quarter
to a half with no change to its code; org executions stats, missed then, meets its target. Compare the ratios within a run;
the fixes and their before/after rows below were each measured in one hour.

Generated inside ClickHouse by \`bench/dataset.ts\` into the same tables and migrations the materializer writes (a year of
runs ending now, 20 organisations, 1,000 projects with a heavy skew: the largest holds ~10% of all rows; 1-20 cronjobs
and 20-500 models per project; ${EXECUTIONS_PER_RUN} model executions per run), then merged (\`OPTIMIZE … FINAL\`, what background merges
leave on data that old). Generating took ${Math.round(largest.generateMs / 1000)} s and merging ${Math.round(largest.mergeMs / 1000)} s for the last step.
Each endpoint gets ${WARMUP} warm-up and ${REQUESTS} measured requests, one at a time over HTTP to the query app, with parameters
varied per request (pages 1-3, filters, windows, projects drawn from the data, so big projects come up as often as they hold
rows). Times are client-side, HTTP included.

| endpoint | p50 ms | p95 ms | max ms | p95 target |
|---|---|---|---|---|
${rows.join('\n')}
${q.floor ? floorLines(q) : ''}${
    missed.length === 0
      ? ''
      : `
### Why ${missed.map((e) => e.name).join(', ')} ${missed.length === 1 ? 'misses its target' : 'miss their targets'}, and what would close it

Measured while building this benchmark (chDB, 2 cores):

- Fixed cost: a chDB call itself costs ~1 ms (\`SELECT 1\` through the client, 2026-11-26), but reading one run by its
  full key costs ~7.5 ms inside the engine: one column ~4.4 ms, six ~4.7 ms, all 24 ~7.5 ms. The time is decoding the
  granule that holds the run, 8,192 rows of every column read, not finding it among the 13 monthly parts: since
  2026-11-26 a read by id looks first within a day of the time its id carries (run ids are \`run_\` and a UUIDv7), which
  leaves the other 12 parts unread, and that saved ~10% (the whole row 6.6 → 5.9 ms, the six columns ingest looks up
  4.1 → 3.5 ms; p50 over 55 runs, two rounds, 2026-11-26). max_threads=1 and the uncompressed cache changed nothing
  (7.1–7.8 ms). With HTTP, the token check and JSON that is the ~10 ms floor of every endpoint. Smaller
  granules help point reads: copies of the 10 M-run table with ~1,000 runs per granule instead of 8,192
  (\`index_granularity_bytes\` 256 KiB or \`index_granularity\` 1024, 2026-11-26, p50 of 21 over 40 runs) read one run
  by id in 6.6–7.1 ms instead of 8.8 and a small project's page in 8.8–10.5 ms instead of 11.5, while the big project's
  pages and stats stay within 2 ms. Not landed: both settings are fixed when a table is created (ALTER refuses them), so
  it takes rebuilding \`runs\` (create, copy, exchange), which the one-statement migrations cannot make safe to re-run.
  Nor a key-value copy of each run's latest row (chDB's EmbeddedRocksDB engine keyed by id; 1 M runs, p50 of 60,
  2026-11-26, an hour when \`SELECT 1\` took 2.3–3.5 ms through the store): one run in 4.7–5.6 ms where \`runs FINAL\`
  took 13–15 ms, and 1,300 runs' states in 38 ms (the materializer's read of 500 by key: 110 ms), for 38 ms more per
  flush to write them (52 ms into \`runs\`). A key-value table keeps the last write, not the highest version: a flush
  retried past a rebalance, landing after the partition's new owner wrote, would leave a run's older state there for
  good, where \`runs\` keeps the row with the highest offset. And at 5 ms a run read by id stays behind PostgreSQL's
  0.3–1.5 ms (section 5).
- Runs page: \`runs\` is ordered by (org_id, project_id, id), so a page sorts every run of the project by created_at to
  return 50 (the largest project holds ~10% of all runs), and the stats scan them all again. Deduplicating FINAL within
  partitions (a run never changes partition) already took a 100 k-run project's page from 107 ms to 26 ms. Measured on
  copies of a 10 M-run \`runs\` table (2026-11-26, the 1 M-run project, p50 of 15): the (org_id, project_id, created_at,
  id) order key takes the page from 54.7 to 47.3 ms (read-in-order cannot stop early under FINAL, which must still merge
  every version in the range), adding index_granularity 1024 to 47.0 ms, and dropping the monthly partitions to 48.0 ms
  (37.6 on page 3), while the stats stay at ~21 ms in every layout and point reads get slower (9.1 → 10.4–11.0 ms). No
  layout comes near 20 ms, so the table was not rebuilt. Done instead (2026-11-26), over the bench's request mix in
  two runs: p95 at 100 M executions 51.1 → 38.5 and 39.6 ms, at 10 M 35.4 → 31.6 and 28.2, at 1 M 25.5 → 21.8 and 22
  (p50 at 100 M 26 → 22.3 and 27.4: it moves with what else the machine runs):
  without \`job_type\` and \`updated_after\`, one scan of \`run_daily\` (one narrow row per run under its created_at's day)
  counts the filtered runs per day; the counts are the page's total and stats, and they tell from which day the page's
  runs lie, so the page reads only that month's partition (the 1 M-run project in the engine: ~15 ms for the counts and
  ~15 ms for the page, where the page sorting every run took ~34 ms and its stats ~9–13 ms). Under \`updated_after\`,
  the page and its stats keep to the partitions holding a row version that passes the filter, found without FINAL
  (page 31 → 16.5 ms, stats 11 → 6 ms), and since 2026-11-27 the page and its total (or stats) are read side by side
  on two of the query app's sessions (in the engine, 1 M runs, 40 projects, 3 rounds: p50 30.7 → 20.8 ms, p90 47.1 →
  29.0). Without those filters the page waits for the counts, which place it. Tried and not landed (same day, same
  data): reading the current month's page beside the counts, kept when it comes back full (72 of 120 times). It took
  p50 28.0 → 22.7 ms but p90 36.0 → 38.3 ms, and a miss pays a read for nothing, which the concurrency section's
  clients would pay for in throughput. What is left is two engine calls of ~15 ms each on the largest project: a
  bounded read still decodes whole 8,192-row granules of all 24 columns before it sorts (FINAL turns off lazy
  materialization), and the per-day counts read every run of the project. What would: the page's rows from a narrow
  index (created_at, id, the filter columns) and only its 50 rows read in full, at the price of a second copy of every
  run, and per-day counts kept as exact aggregates (a run changes status, so they would need the fold's before and after).
- Stats (daily and per model): percentiles are exact (percentile_cont semantics), so they read every duration in the
  window; the cost is linear in the project's rows, and the largest project holds ~10 M executions at full size. The scan
  parallelizes over cores (2 here). Model stats take p50 and p95 from one sort of the durations
  (\`quantilesExactInclusive(0.5, 0.95)\`; on the 10 M-execution project 276 → 252 ms in the engine, p95 219.6 → 197.1 ms
  over the mix). On that project every column aggregated costs 20–30 ms (10 M Nullable values; count alone 46 ms), so
  the 14 figures the reference asks for cannot fit in 100 ms on 2 cores. A per-model, per-day t-digest rollup would make
  it constant-time but approximate (~0.2% off, shared/FACTS.md); the reference asks for exact values, so that would be an
  opt-in, not a default.
- Model-executions page (${targetOutcome(largest, 'model-executions page')}): \`model_executions\` is ordered by
  (org_id, project_id, model_name, id), so under FINAL a page of a whole project's newest executions sorted every one of
  them (~160 ms on the 10 M-execution project). Done (2026-11-26): a projection, \`executions_by_created\`, holds every
  row version again ordered by (org_id, project_id, created_at), and the page, now ordered by created_at (then
  started_at, id), reads the newest row versions there without FINAL (ClickHouse uses no projection under FINAL): in
  order, stopping early, the other columns read only for the rows kept; then it keeps each execution's highest version.
  That is exact because every version of an execution carries the created_at of its first report; a read that stops
  inside one created_at sets it aside and, short of the page, reads further (libs/clickhouse tables/execution-page.ts).
  In the engine over this request mix on 100 M executions (two rounds of 50): the page's p95 199–205 → 13–29 ms, p50
  11.6 → 7–9 ms; over HTTP at full scale p95 222.5 → 34.1 ms, p50 13.5 → 13.2 ms (2026-11-26, the run after the one
  before it, in an hour when every other endpoint measured slower: the floor 7.7 → 9.2 ms, the runs page 36.5 → 45.2
  ms). The projection doubles the table on disk (5.2 GiB for 100 M executions) and adds ~5% to its inserts (section 2).
  With a model filter, the table's own order finds the model's executions in fewer granules than the projection
  would read, so ClickHouse took that path and sorted all of a big model's executions (~500 k on the largest project:
  ~29 ms in the engine). A window on created_at cuts no execution (its versions share one created_at) and narrows the
  projection's read below that, so a model holding more than 20 executions per row version the page reads has its last
  week read first, and further back only when the week does not hold the page; the count, computed first, tells which
  (engine A/B over this mix, page and count: p95 31.8–33.3 → 26.6–26.7 ms; over HTTP 34.1 → 33.2 ms, in a run slower
  throughout: the floor 9.2 → 11 ms, run (v1) 8.9 → 11.5 ms; 2026-11-26). What is left on the largest
  project is the total, \`count()\` under FINAL over its 10 M executions' key columns (~21 ms). A total not counted per
  request would need the materializer to keep one per project, exact only if it were written atomically with the
  flush's rows: the materializer knows whether an execution is new, but a crash between two inserts would count one
  twice or never.
- The p95 of the project-wide endpoints hinges on how often the largest project (~10% of the rows) falls among the 50
  requests: about five times, so one request more or fewer moves it between the small projects' times and the largest
  one's. The model-executions page's p95 was 207.2 ms in one run and 49.8 ms in the next (2026-11-26), when the sample
  of runs the requests are drawn from changed with the run ids' shape; the sample is now drawn by row number, the same
  in every run.
`
  }
`;
}

/** "met" or "missed" for an endpoint's p95 target at the largest size. */
function targetOutcome(largest: SizeResult, name: string): string {
  const target = ENDPOINTS.find((e) => e.name === name)?.target;
  return target === undefined ? 'no target' : `p95 target < ${target} ms: ${pass(largest.latencies[name].p95 < target)}`;
}

/** The floor row and each single-run endpoint's p50 over it. */
function floorLines(q: QueryResult): string {
  const floor = q.floor!;
  const latencies = q.sizes[q.sizes.length - 1].latencies;
  const ratios = SINGLE_RUN_ENDPOINTS.map((name) => ({ name, ratio: Math.round((latencies[name].p50 / floor.p50) * 100) / 100 }));
  return `| ${FLOOR_NAME} | ${floor.p50} | ${floor.p95} | ${floor.max} | – |

The floor (bench/floor-server.ts) is measured in the same run over run (v1)'s requests (the same run ids, one at a time)${
    q.floorP50s && q.floorP50s.length > 1 ? `, before and after the query app's requests (p50 ${q.floorP50s.join(' and ')} ms; the row is the lower)` : ''
  }:
bare Fastify, the query app's token check (libs/auth TokenService, same token table and cache) and one chDB SELECT of the run
by its full key (org_id, project_id, id) through libs/clickhouse, answered as JSON. Single-run endpoints' p50 over the floor's
(target ≤ ${FLOOR_RATIO}×): ${ratios.map((r) => `${r.name} ${r.ratio}×`).join(', ')}: ${pass(ratios.every((r) => r.ratio <= FLOOR_RATIO))}.
The data set has no log lines or telemetry samples, and the run row counts them (log_count, sample_count): since
2026-11-26 run logs and the write-API shape skip those reads when the row counts none, where each was one more engine
call on an empty table (~2.5 ms; 1.62× and 1.92× of the floor before). A run with a log pays one more read, by the
table's full key prefix (org_id, project_id, run_id) since the same change: 3.0 ms in the engine for one run's 20 lines
among 27.7 M lines of one organisation, 10.9 ms before, when the read left out the project (p50 of 15).
`;
}

export function growthReport(q: QueryResult): string {
  const growthHeader = q.sizes.map((s) => `${count(s.executions)} executions`).join(' | ');
  const growth = ENDPOINTS.map((e) => `| ${e.name} | ${q.sizes.map((s) => `${s.latencies[e.name].p50} / ${s.latencies[e.name].p95}`).join(' | ')} |`);
  return `## 7. Growth: p50 / p95 ms as the data grows

Runs grow with executions (one run per ${EXECUTIONS_PER_RUN} executions); the same request mix at every size.

| endpoint | ${growthHeader} |
|---|${q.sizes.map(() => '---|').join('')}
${growth.join('\n')}
${oneBillionNote(q.sizes[q.sizes.length - 1])}`;
}

/** Why the table stops where it does (issue 16 asks for 1 G executions if it fits the disk and the bench's time). */
function oneBillionNote(largest: SizeResult): string {
  if (largest.diskMb === undefined || largest.freeDiskMb === undefined) return '';
  const scale = 1e9 / largest.executions;
  const gb = (mb: number) => (mb / 1024).toFixed(1);
  const minutes = Math.round((scale * (largest.generateMs + largest.mergeMs)) / 60_000);
  return `
Not measured at 1 G executions: the ${count(largest.executions)}-execution data set takes ${gb(largest.diskMb)} GB in chDB, so
${Math.round(scale)}× it would take ~${gb(largest.diskMb * scale)} GB of the ${gb(largest.freeDiskMb)} GB left beside it, before the PostgreSQL
peer's copy, its indexes and the export it loads from (each larger than chDB's compressed columns). Generating and merging
it would add ~${minutes} minutes and loading the peer hours (section 5's load times, ${Math.round(scale)}×), past a bench a user can run.
`;
}
