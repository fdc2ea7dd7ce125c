import { ClickHouseStore } from '../store';
import { ChDateTime } from '../time';

export const RUN_EVENTS_TABLE = 'run_events';

/** A row of `run_events` (migration 0001). */
export interface RunEventRow {
  event_id: string;
  type: string;
  schema_version: number;
  org_id: string;
  project_id: string;
  run_id: string;
  occurred_at: ChDateTime;
  actor: string;
  /** The event's payload as JSON text. */
  payload: string;
  kafka_partition: number;
  kafka_offset: string;
}

export function insertRunEvents(store: ClickHouseStore, rows: readonly RunEventRow[]): Promise<void> {
  return store.insert(RUN_EVENTS_TABLE, rows);
}
