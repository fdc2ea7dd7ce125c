import { JobRun } from '@runstream/clickhouse';
import { JobWebhookEvent, TelemetrySummary } from '@runstream/events';

/** The webhook `type` of each outcome (Standard Webhooks style: dotted, past tense). */
export const OUTCOME_EVENT_TYPES: Readonly<Record<JobWebhookEvent, string>> = {
  started: 'run.started',
  success: 'run.succeeded',
  failure: 'run.failed',
  cancelled: 'run.cancelled',
};

/**
 * One outcome of one run of a job, everything a webhook body or a Slack message says about it.
 * Built once, when the outcome is taken from the event log; every attempt sends the same bytes.
 */
export interface OutcomeNotice {
  /** The job's webhook_events word: started, success, failure (failed, error or partial), cancelled. */
  outcome: JobWebhookEvent;
  /** When the outcome happened: the status change's occurred_at, RFC 3339 UTC. */
  occurredAt: string;
  orgId: string;
  projectId: string;
  job: { id: string; name: string };
  /** The run in the read API's shape (GET /api/v1/runs/:runId). */
  run: JobRun;
  durationSeconds: number | null;
  /** Already scrubbed by ingest; '' when none was reported. */
  errorSummary: string;
  /** Present only when the run reported one (a non-empty summary). */
  telemetrySummary?: TelemetrySummary;
  /** Where a person reads the run. */
  runUrl: string;
}
