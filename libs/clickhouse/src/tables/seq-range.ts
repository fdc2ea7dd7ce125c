import { column, RowSchema } from '../columns';
import { ClickHouseStore } from '../store';
import type { RunRow } from './runs.table';

/**
 * The columns every row of a run's log or samples ring has (migrations 0006, 0007): item `seq` of a
 * generation in slot seq % cap; version orders writes (offset × 10000 + position), as decimal text.
 */
export const RING_ROW_COLUMNS = {
  org_id: column.text,
  project_id: column.text,
  run_id: column.text,
  slot: column.int,
  generation: column.int,
  seq: column.counter,
  at: column.dateTime,
  version: column.uint64,
};

/**
 * Part of one generation of a run's log or samples ring: seq in (after, before). The full key
 * prefix (org, project, run) keeps the read to the run's own rows in tables ordered that way.
 */
export interface SeqRange {
  org_id: string;
  project_id: string;
  run_id: string;
  generation: number;
  after: number;
  before: number;
}

/**
 * A run's whole current ring, as far as its row counts it (seq below log_count or
 * sample_count), so a read never shows a line the run row does not yet cover. Undefined when
 * the row counts none: nothing to read.
 */
export function currentRing(run: Pick<RunRow, 'org_id' | 'project_id' | 'id'>, generation: number, count: number | string): SeqRange | undefined {
  const before = Number(count);
  if (before === 0) return undefined;
  return { org_id: run.org_id, project_id: run.project_id, run_id: run.id, generation, after: -1, before };
}

/** The two ring tables (migrations 0006, 0007): a run's log lines and its telemetry samples. */
export type RingTable = 'run_log_entries' | 'run_telemetry_samples';

/** Rows of one generation of a run's ring with seq in (after, before), in seq order (those overwritten in the ring are gone). */
export function selectRingRange<T>(store: ClickHouseStore, table: RingTable, row: RowSchema<T>, range: SeqRange): Promise<T[]> {
  return store.query(
    row,
    `SELECT * FROM {db:Identifier}.${table} FINAL
     WHERE org_id = {org_id:String} AND project_id = {project_id:String} AND run_id = {run_id:String}
       AND generation = {generation:UInt32} AND seq > {after:Int64} AND seq < {before:Int64}
     ORDER BY seq`,
    { ...range },
  );
}
