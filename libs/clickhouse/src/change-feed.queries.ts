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
  return { org_id: slice.org_id, project_id: slice.project_id ?? null, from: offsets(slice.from), to: offsets(slice.to), limit: slice.limit };
}

/** Runs whose current row was written by an event in the slice, in log order. */
export function selectRunChanges(store: ClickHouseStore, slice: LogSlice): Promise<RunRow[]> {
  // WHERE applies after FINAL: a run shows once, at its current row's position, or not at all.
  return store.query(
    RunRowSchema,
    `SELECT * FROM {db:Identifier}.runs FINAL
     WHERE org_id = {org_id:String} AND ({project_id:Nullable(String)} IS NULL OR project_id = {project_id:Nullable(String)})
       AND kafka_offset >= arrayElement({from:Array(UInt64)}, kafka_partition + 1)
       AND kafka_offset < arrayElement({to:Array(UInt64)}, kafka_partition + 1)
     ORDER BY kafka_offset, kafka_partition, id
     LIMIT {limit:UInt32}`,
    sliceParams(slice),
  );
}

/**
 * Model executions whose current row was written by an event in the slice, in log order. An
 * execution's offset is in its version (offset × 10000 + index, see the materializer's fold);
 * its partition is its run's (events are keyed by run id).
 */
export function selectExecutionChanges(store: ClickHouseStore, slice: LogSlice): Promise<ExecutionChangeRow[]> {
  return store.query(
    ExecutionChangeRowSchema,
    `SELECT e.*, r.kafka_partition AS kafka_partition, toString(intDiv(e.version, 10000)) AS kafka_offset
     FROM {db:Identifier}.model_executions AS e FINAL
     INNER JOIN (
       SELECT id, any(kafka_partition) AS kafka_partition FROM {db:Identifier}.runs
       WHERE org_id = {org_id:String} AND ({project_id:Nullable(String)} IS NULL OR project_id = {project_id:Nullable(String)})
       GROUP BY id
     ) AS r ON e.job_run_id = r.id
     WHERE e.org_id = {org_id:String} AND ({project_id:Nullable(String)} IS NULL OR e.project_id = {project_id:Nullable(String)})
       AND intDiv(e.version, 10000) >= arrayElement({from:Array(UInt64)}, r.kafka_partition + 1)
       AND intDiv(e.version, 10000) < arrayElement({to:Array(UInt64)}, r.kafka_partition + 1)
     ORDER BY intDiv(e.version, 10000), r.kafka_partition, e.model_name, e.id
     LIMIT {limit:UInt32}`,
    sliceParams(slice),
    // ClickHouse's docs say max_result_rows is checked for subqueries too (chDB 3.4's analyzer does not), and the
    // join's holds one row per run of the organisation: the answer is bounded by LIMIT, the join by max_memory_usage.
    { max_result_rows: '0' },
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
