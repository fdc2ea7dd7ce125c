import { ClickHouseStore } from '../store';
import { ChDateTime } from '../time';

export const RUN_TELEMETRY_SAMPLES_TABLE = 'run_telemetry_samples';

/** A row of `run_telemetry_samples` (migration 0007). */
export interface RunTelemetrySampleRow {
  org_id: string;
  project_id: string;
  run_id: string;
  slot: number;
  generation: number;
  seq: number;
  at: ChDateTime;
  values: Record<string, number>;
  version: string;
}

export function insertRunTelemetrySamples(store: ClickHouseStore, rows: readonly RunTelemetrySampleRow[]): Promise<void> {
  return store.insert(RUN_TELEMETRY_SAMPLES_TABLE, rows);
}

/** The run's current samples in the order they were reported. */
export function selectRunSamples(store: ClickHouseStore, orgId: string, runId: string, generation: number): Promise<RunTelemetrySampleRow[]> {
  return store.query<RunTelemetrySampleRow>(
    `SELECT * FROM {db:Identifier}.run_telemetry_samples FINAL
     WHERE org_id = {org_id:String} AND run_id = {run_id:String} AND generation = {generation:UInt32}
     ORDER BY seq`,
    { org_id: orgId, run_id: runId, generation },
  );
}
