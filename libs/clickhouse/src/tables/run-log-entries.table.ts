import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';
import type { RunRow } from './runs.table';
import { currentRing, RING_ROW_COLUMNS, selectRingRange, RingTable, SeqRange } from './seq-range';

export const RUN_LOG_ENTRIES_TABLE = 'run_log_entries' satisfies RingTable;

/** A row of `run_log_entries` (migration 0006). */
export const RunLogEntryRowSchema = z.object({ ...RING_ROW_COLUMNS, level: column.text, message: column.text });
export type RunLogEntryRow = z.infer<typeof RunLogEntryRowSchema>;

export function insertRunLogEntries(store: ClickHouseStore, rows: readonly RunLogEntryRow[]): Promise<void> {
  return store.insert(RUN_LOG_ENTRIES_TABLE, rows);
}

/** Log lines of one generation with seq in (after, before), in seq order (lines overwritten in the ring are gone). */
export function selectRunLogRange(store: ClickHouseStore, range: SeqRange): Promise<RunLogEntryRow[]> {
  return selectRingRange(store, RUN_LOG_ENTRIES_TABLE, RunLogEntryRowSchema, range);
}

/** The run's current log, oldest kept line first; no read when its row counts no line. */
export async function selectRunLog(
  store: ClickHouseStore,
  run: Pick<RunRow, 'org_id' | 'project_id' | 'id' | 'log_generation' | 'log_count'>,
): Promise<RunLogEntryRow[]> {
  const ring = currentRing(run, run.log_generation, run.log_count);
  return ring ? selectRunLogRange(store, ring) : [];
}
