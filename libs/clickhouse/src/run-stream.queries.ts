import { ClickHouseStore } from './store';
import { RunLogEntryRow } from './tables/run-log-entries.table';
import { RunTelemetrySampleRow } from './tables/run-telemetry-samples.table';

/** Which part of a run's log (or samples) a live stream still needs: seq in (after, before). */
export interface SeqRange {
  org_id: string;
  run_id: string;
  generation: number;
  after: number;
  before: number;
}

/** Log lines of one generation with seq in (after, before), in seq order (lines overwritten in the ring are gone). */
export function selectRunLogRange(store: ClickHouseStore, range: SeqRange): Promise<RunLogEntryRow[]> {
  return store.query<RunLogEntryRow>(
    `SELECT * FROM {db:Identifier}.run_log_entries FINAL
     WHERE org_id = {org_id:String} AND run_id = {run_id:String} AND generation = {generation:UInt32}
       AND seq > {after:Int64} AND seq < {before:Int64}
     ORDER BY seq`,
    { ...range },
  );
}

/** Telemetry samples of one generation with seq in (after, before), in seq order. */
export function selectRunSampleRange(store: ClickHouseStore, range: SeqRange): Promise<RunTelemetrySampleRow[]> {
  return store.query<RunTelemetrySampleRow>(
    `SELECT * FROM {db:Identifier}.run_telemetry_samples FINAL
     WHERE org_id = {org_id:String} AND run_id = {run_id:String} AND generation = {generation:UInt32}
       AND seq > {after:Int64} AND seq < {before:Int64}
     ORDER BY seq`,
    { ...range },
  );
}
