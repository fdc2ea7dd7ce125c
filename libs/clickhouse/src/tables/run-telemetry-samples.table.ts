import { z } from 'zod';
import { ClickHouseStore } from '../store';
import type { RunRow } from './runs.table';
import { currentRing, RING_ROW_COLUMNS, selectRingRange, RingTable, SeqRange } from './seq-range';

export const RUN_TELEMETRY_SAMPLES_TABLE = 'run_telemetry_samples' satisfies RingTable;

/** A row of `run_telemetry_samples` (migration 0007). */
export const RunTelemetrySampleRowSchema = z.object({ ...RING_ROW_COLUMNS, values: z.record(z.string(), z.number()) });
export type RunTelemetrySampleRow = z.infer<typeof RunTelemetrySampleRowSchema>;

export function insertRunTelemetrySamples(store: ClickHouseStore, rows: readonly RunTelemetrySampleRow[]): Promise<void> {
  return store.insert(RUN_TELEMETRY_SAMPLES_TABLE, rows);
}

/** Telemetry samples of one generation with seq in (after, before), in seq order. */
export function selectRunSampleRange(store: ClickHouseStore, range: SeqRange): Promise<RunTelemetrySampleRow[]> {
  return selectRingRange(store, RUN_TELEMETRY_SAMPLES_TABLE, RunTelemetrySampleRowSchema, range);
}

/** The run's current samples in the order they were reported; no read when its row counts none. */
export async function selectRunSamples(
  store: ClickHouseStore,
  run: Pick<RunRow, 'org_id' | 'project_id' | 'id' | 'sample_generation' | 'sample_count'>,
): Promise<RunTelemetrySampleRow[]> {
  const ring = currentRing(run, run.sample_generation, run.sample_count);
  return ring ? selectRunSampleRange(store, ring) : [];
}
