import { ClickHouseStore } from '../store';
import { ChDateTime } from '../time';

export const RUN_LOG_ENTRIES_TABLE = 'run_log_entries';

/** A row of `run_log_entries` (migration 0006). */
export interface RunLogEntryRow {
  org_id: string;
  project_id: string;
  run_id: string;
  slot: number;
  generation: number;
  seq: number;
  at: ChDateTime;
  level: string;
  message: string;
  /** UInt64 as decimal text. */
  version: string;
}

export function insertRunLogEntries(store: ClickHouseStore, rows: readonly RunLogEntryRow[]): Promise<void> {
  return store.insert(RUN_LOG_ENTRIES_TABLE, rows);
}

/** The run's current log, oldest kept line first. */
export function selectRunLog(store: ClickHouseStore, orgId: string, runId: string, generation: number): Promise<RunLogEntryRow[]> {
  return store.query<RunLogEntryRow>(
    `SELECT * FROM {db:Identifier}.run_log_entries FINAL
     WHERE org_id = {org_id:String} AND run_id = {run_id:String} AND generation = {generation:UInt32}
     ORDER BY seq`,
    { org_id: orgId, run_id: runId, generation },
  );
}
