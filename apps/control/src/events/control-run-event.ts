import { RunEventEnvelope, RunEventPayloads, RunEventType, RunPatchedPayload, SCHEMA_VERSION, uuidv7 } from '@runstream/events';

/** Which run an event is about, as the read model names it. */
export interface RunRef {
  org_id: string;
  project_id: string;
  id: string;
}

/** A run event the control plane writes on its own (its sweepers): id and time from `now`. */
export function controlRunEvent<T extends RunEventType>(run: RunRef, type: T, payload: RunEventPayloads[T], now: Date, actor: string): RunEventEnvelope<T> {
  return {
    event_id: uuidv7(now.getTime()),
    type,
    schema_version: SCHEMA_VERSION,
    org_id: run.org_id,
    project_id: run.project_id,
    run_id: run.id,
    occurred_at: now.toISOString(),
    actor,
    payload,
  };
}

/** Ends a run `error`, the reason as its error summary and as its last log line (what a reader of its logs sees last). */
export function endedWithError(summary: string, now: Date): RunPatchedPayload {
  return { status: 'error', error_summary: summary, append_log: { at: now.toISOString(), level: 'error', message: summary } };
}
