import type { JobType, RunStatus, TriggeredBy } from './statuses';

export const RUN_EVENTS_TOPIC = 'runs.events.v1';
/** Caps the fold keeps per run: the most recent lines and samples survive. */
export const MAX_LOG_ENTRIES = 500;
export const MAX_TELEMETRY_SAMPLES = 2000;
export const MAX_EXECUTIONS_PER_REPORT = 1000;
/**
 * Keys the merged telemetry summary of one run may hold. A PATCH that would grow it past this
 * still updates the keys the run has; its new keys are admitted in the order the PATCH lists
 * them until the total is reached, and the rest are dropped (the fold does it, deterministically,
 * so a replay keeps the same keys).
 */
export const MAX_TELEMETRY_SUMMARY_KEYS = 256;
/** Model execution statuses stored (ingest maps the runner word `succeeded` to `success`). */
export const MODEL_EXECUTION_STATUSES = ['success', 'failed', 'error', 'skipped', 'cancelled', 'running'] as const;
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
  /** The argv an executor runs (runs the control plane starts for a job); absent for runner-reported runs. */
  command_argv?: string[];
}

export const LOG_LEVELS = ['info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A structured log line; message already scrubbed of credentials. */
export interface LogEntry {
  at: string;
  level: LogLevel;
  message: string;
}

/** Telemetry summary values: a shallow JSON object of scalars. */
export type TelemetryValue = string | number | boolean | null;
export type TelemetrySummary = Record<string, TelemetryValue>;

/** One telemetry point: its time and numeric measurements (rowsLoaded, bytesLoaded, progress, ...). */
export interface TelemetrySample {
  at: string;
  values: Record<string, number>;
}

/** One PATCH: every field it carried, applied together. Times are RFC 3339 UTC. */
export interface RunPatchedPayload {
  status?: RunStatus;
  started_at?: string;
  finished_at?: string;
  error_summary?: string;
  append_log?: LogEntry;
  /** Replaces the whole log. */
  log_entries?: LogEntry[];
  /** Shallow-merged into the run's summary; a null value is stored as null. */
  telemetry_summary?: TelemetrySummary;
  append_telemetry_sample?: TelemetrySample;
  /** Replaces all samples. */
  telemetry_samples?: TelemetrySample[];
}

/** A gateway took a pending run targeted at it; only the first claim wins. */
export interface RunClaimedPayload {
  gateway: string;
  /** Id of the claim request, echoed so the claimer can tell whether it won. */
  claim_id: string;
}

/** Per-model executions of a run (fields of the reference executions object). */
export interface ModelExecution {
  id: string;
  model_name: string;
  status: string;
  started_at: string;
  completed_at: string | null;
  rows_processed: number | null;
  bytes_processed: number | null;
  interval_start: string | null;
  interval_end: string | null;
}

export interface ModelExecutionsReportedPayload {
  executions: ModelExecution[];
}

export interface RunEventPayloads {
  'run.created': RunCreatedPayload;
  'run.patched': RunPatchedPayload;
  'run.claimed': RunClaimedPayload;
  'model_executions.reported': ModelExecutionsReportedPayload;
}

export type RunEventType = keyof RunEventPayloads;
export const RUN_EVENT_TYPES: readonly RunEventType[] = ['run.created', 'run.patched', 'run.claimed', 'model_executions.reported'];

/** The immutable event on runs.events.v1 (docs/events.md), keyed by run_id. */
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
