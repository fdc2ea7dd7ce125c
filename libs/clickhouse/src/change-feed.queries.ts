import { TupleParam } from '@clickhouse/client';
import { z } from 'zod';
import { column } from './columns';
import { ClickHouseStore } from './store';
import { ModelExecutionRowSchema } from './tables/model-executions.table';
import { RunRow, RunRowSchema } from './tables/runs.table';

/**
 * A slice of the event log, per partition: offsets in [from[p], to[p]) (index = partition;
 * a partition past an array's end reads as 0). Rows are the read models' current rows whose
 * producing event lies in the slice.
 */
export interface LogSlice {
  org_id: string;
  project_id?: string;
  from: readonly bigint[];
  to: readonly bigint[];
  limit: number;
}

/** A model execution with the log position of the event that last wrote it. */
const ExecutionChangeRowSchema = ModelExecutionRowSchema.extend({ kafka_partition: column.int, kafka_offset: column.uint64 });
export type ExecutionChangeRow = z.infer<typeof ExecutionChangeRowSchema>;

/** As numbers: the client quotes strings in an Array(UInt64), and log offsets stay far below 2^53. */
const offsets = (values: readonly bigint[]) => values.map((v) => Number(v));

function sliceParams(slice: LogSlice) {
  return {
    org_id: slice.org_id,
    project_id: slice.project_id ?? null,
    from: offsets(slice.from),
    to: offsets(slice.to),
    limit: slice.limit,
    lowest: Number(lowestOffset(slice) ?? 0n),
  };
}

/** The lowest offset the slice holds on any partition (a partition whose range is empty holds none); undefined when it holds none at all. */
function lowestOffset(slice: LogSlice): bigint | undefined {
  let lowest: bigint | undefined;
  slice.to.forEach((to, p) => {
    const from = slice.from[p] ?? 0n;
    if (from < to && (lowest === undefined || from < lowest)) lowest = from;
  });
  return lowest;
}

const IN_SCOPE = `org_id = {org_id:String} AND ({project_id:Nullable(String)} IS NULL OR project_id = {project_id:Nullable(String)})`;
const IN_SLICE = (offset: string, partition: string) =>
  `${offset} >= arrayElement({from:Array(UInt64)}, ${partition} + 1) AND ${offset} < arrayElement({to:Array(UInt64)}, ${partition} + 1)`;

/** The result is bounded by LIMIT; ClickHouse's docs say some versions check max_result_rows in subqueries too. */
const UNBOUNDED_SUBQUERIES = { max_result_rows: '0' };

/**
 * How a slice's changes are read. `none`: the scope has no event in the slice. `own-rows`: the row
 * versions written since the scope's first event in the slice, found by the offset skip indexes
 * (migrations 0032–0035), which costs what the slice holds. `history`: the scope's current rows
 * under FINAL, which costs what its whole history holds.
 */
export type SliceRead = { kind: 'none' } | { kind: 'own-rows'; since: bigint } | { kind: 'history' };

/**
 * A slice is read from its own rows when at most this many of the scope's events lie at or past
 * its first one, on any partition: what those reads go through. On one organisation's 10 M
 * events, 6,000 to 200,000 of them took 0.28–0.49× of the history reads (bench/feed-pages.ts); on
 * 1 M events, 60,000 took as long as the history reads.
 */
export const OWN_ROWS_MAX_EVENTS = 20_000;

/** The scope's events matching `where`, counted up to `cap`, and the lowest offset among those counted. */
async function countEvents(store: ClickHouseStore, where: string, params: Record<string, unknown>, cap: number): Promise<{ events: number; first: bigint }> {
  const [found] = await store.query(
    z.object({ events: column.count, first: column.uint64 }),
    `SELECT count() AS events, toString(min(kafka_offset)) AS first FROM (
       SELECT kafka_offset FROM {db:Identifier}.run_events WHERE ${IN_SCOPE} AND ${where} LIMIT {cap:UInt32})`,
    { ...params, cap },
    UNBOUNDED_SUBQUERIES,
  );
  return { events: found?.events ?? 0, first: BigInt(found?.first ?? 0) };
}

/**
 * Plans a slice's read from run_events, which holds every event a change comes from, written
 * before the watermark that lets the feed read it. A slice holding no position (a caught-up
 * follower's poll) is answered without a query. None of the scope's events in the slice: no
 * read (a quiet organisation's poll on a busy log). Otherwise its own rows, if at most `maxEvents`
 * of the scope's events lie at or past the first of them on any partition (the rest of one event
 * far behind the head, or partitions far apart, would make those reads go through more than the
 * history); else the history.
 */
export async function planSliceRead(store: ClickHouseStore, slice: LogSlice, maxEvents = OWN_ROWS_MAX_EVENTS): Promise<SliceRead> {
  if (lowestOffset(slice) === undefined) return { kind: 'none' };
  const params = sliceParams(slice);
  const inSlice = await countEvents(store, `kafka_offset >= {lowest:UInt64} AND ${IN_SLICE('kafka_offset', 'kafka_partition')}`, params, maxEvents + 1);
  if (inSlice.events === 0) return { kind: 'none' };
  if (inSlice.events > maxEvents) return { kind: 'history' };
  const since = await countEvents(store, 'kafka_offset >= {since:UInt64}', { ...params, since: Number(inSlice.first) }, maxEvents + 1);
  return since.events > maxEvents ? { kind: 'history' } : { kind: 'own-rows', since: inSlice.first };
}

/**
 * The newest row version of each key whose newest version is at or past `since`. Exact without
 * FINAL: a key whose newest version lies below `since` has every version below it, so none is
 * read; any other key's newest version is read, and kept.
 */
const NEWEST_SINCE = (table: string, version: string, since: string, key: string) =>
  `SELECT * FROM {db:Identifier}.${table} WHERE ${IN_SCOPE} AND ${version} >= ${since}
   ORDER BY ${version} DESC LIMIT 1 BY ${key}`;

/** Runs whose current row was written by an event in the slice, in log order. */
export async function selectRunChanges(store: ClickHouseStore, slice: LogSlice, read: SliceRead): Promise<RunRow[]> {
  if (read.kind === 'none') return [];
  if (read.kind === 'own-rows') {
    return store.query(
      RunRowSchema,
      `SELECT * FROM (${NEWEST_SINCE('runs', 'kafka_offset', '{since:UInt64}', 'project_id, id')})
       WHERE ${IN_SLICE('kafka_offset', 'kafka_partition')}
       ORDER BY kafka_offset, kafka_partition, id
       LIMIT {limit:UInt32}`,
      { ...sliceParams(slice), since: Number(read.since) },
      UNBOUNDED_SUBQUERIES,
    );
  }
  // WHERE applies after FINAL: a run shows once, at its current row's position, or not at all.
  return store.query(
    RunRowSchema,
    `SELECT * FROM {db:Identifier}.runs FINAL
     WHERE ${IN_SCOPE} AND ${IN_SLICE('kafka_offset', 'kafka_partition')}
     ORDER BY kafka_offset, kafka_partition, id
     LIMIT {limit:UInt32}`,
    sliceParams(slice),
  );
}

/**
 * Model executions whose current row was written by an event in the slice, in log order. An
 * execution's offset is in its version (offset × 10000 + index, see the materializer's fold);
 * its partition is its run's (events are keyed by run id), found from the slice's own events or
 * from the organisation's runs.
 */
export async function selectExecutionChanges(store: ClickHouseStore, slice: LogSlice, read: SliceRead): Promise<ExecutionChangeRow[]> {
  if (read.kind === 'none') return [];
  if (read.kind === 'own-rows') {
    return store.query(
      ExecutionChangeRowSchema,
      `SELECT e.*, ev.kafka_partition AS kafka_partition, toString(ev.kafka_offset) AS kafka_offset
       FROM (${NEWEST_SINCE('model_executions', 'version', '{since:UInt64} * 10000', 'project_id, model_name, id')}) AS e
       INNER JOIN (
         SELECT DISTINCT project_id, run_id, kafka_partition, kafka_offset FROM {db:Identifier}.run_events
         WHERE ${IN_SCOPE} AND kafka_offset >= {since:UInt64} AND ${IN_SLICE('kafka_offset', 'kafka_partition')}
       ) AS ev ON e.project_id = ev.project_id AND e.job_run_id = ev.run_id AND intDiv(e.version, 10000) = ev.kafka_offset
       ORDER BY ev.kafka_offset, ev.kafka_partition, e.model_name, e.id
       LIMIT {limit:UInt32}`,
      { ...sliceParams(slice), since: Number(read.since) },
      UNBOUNDED_SUBQUERIES,
    );
  }
  return store.query(
    ExecutionChangeRowSchema,
    `SELECT e.*, r.kafka_partition AS kafka_partition, toString(intDiv(e.version, 10000)) AS kafka_offset
     FROM {db:Identifier}.model_executions AS e FINAL
     INNER JOIN (
       SELECT id, any(kafka_partition) AS kafka_partition FROM {db:Identifier}.runs WHERE ${IN_SCOPE} GROUP BY id
     ) AS r ON e.job_run_id = r.id
     WHERE e.org_id = {org_id:String} AND ({project_id:Nullable(String)} IS NULL OR e.project_id = {project_id:Nullable(String)})
       AND ${IN_SLICE('intDiv(e.version, 10000)', 'r.kafka_partition')}
     ORDER BY intDiv(e.version, 10000), r.kafka_partition, e.model_name, e.id
     LIMIT {limit:UInt32}`,
    sliceParams(slice),
    // The join's holds one row per run of the organisation (chDB 3.4's analyzer does not check subqueries): the answer
    // is bounded by LIMIT, the join by max_memory_usage.
    UNBOUNDED_SUBQUERIES,
  );
}

/** The ids of the organisation's events at these log positions (a position without one is absent). */
export async function selectEventIdsAt(
  store: ClickHouseStore,
  orgId: string,
  positions: readonly { partition: number; offset: bigint }[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (positions.length === 0) return found;
  const rows = await store.query(
    z.object({ kafka_partition: column.int, kafka_offset: column.uint64, event_id: column.text }),
    `SELECT DISTINCT kafka_partition, toString(kafka_offset) AS kafka_offset, toString(event_id) AS event_id FROM {db:Identifier}.run_events
     WHERE org_id = {org_id:String} AND (kafka_partition, kafka_offset) IN {positions:Array(Tuple(UInt32, UInt64))}`,
    { org_id: orgId, positions: positions.map((p) => new TupleParam([p.partition, Number(p.offset)])) },
  );
  for (const row of rows) found.set(`${row.kafka_partition}@${row.kafka_offset}`, row.event_id);
  return found;
}
