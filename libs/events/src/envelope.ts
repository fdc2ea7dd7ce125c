import type { JobType, RunStatus, TriggeredBy } from './statuses';

export const RUN_EVENTS_TOPIC = 'runs.events.v1';
export const RUN_EVENTS_DLQ_TOPIC = 'runs.events.dlq.v1';
export const SCHEMA_VERSION = 1;

/** A run was created (POST /api/elt/runs). Fields are fixed for the run's lifetime. */
export interface RunCreatedPayload {
  job_id: string;
  job_name: string;
  cronjob_name: string;
  namespace: string;
  job_type: JobType;
  triggered_by: TriggeredBy;
  target_gateway: string;
}

/** One PATCH: every field it carried, applied together. Times are RFC 3339 UTC. */
export interface RunPatchedPayload {
  status?: RunStatus;
  started_at?: string;
  finished_at?: string;
}

export interface RunEventPayloads {
  'run.created': RunCreatedPayload;
  'run.patched': RunPatchedPayload;
}

export type RunEventType = keyof RunEventPayloads;
export const RUN_EVENT_TYPES: readonly RunEventType[] = ['run.created', 'run.patched'];

/** The immutable event on runs.events.v1 (shared/DESIGN.md decision 3), keyed by run_id. */
export interface RunEventEnvelope<T extends RunEventType = RunEventType> {
  event_id: string;
  type: T;
  schema_version: number;
  org_id: string;
  project_id: string;
  run_id: string;
  /** Server time at ingest, RFC 3339 UTC with milliseconds. */
  occurred_at: string;
  /** Id of the token that made the write. */
  actor: string;
  payload: RunEventPayloads[T];
}

export type AnyRunEvent = { [T in RunEventType]: RunEventEnvelope<T> }[RunEventType];
