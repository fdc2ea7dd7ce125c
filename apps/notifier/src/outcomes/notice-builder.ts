import { JobRow, jsonObjectOf, roundSeconds, RunRow, toJobRun } from '@runstream/clickhouse';
import { JobWebhookEvent, TelemetrySummary } from '@runstream/events';
import { OutcomeNotice } from './outcome-notice';
import { runLink } from './outcome-rules';

function reportedSummary(text: string): TelemetrySummary | undefined {
  const summary = jsonObjectOf(text);
  return Object.keys(summary).length > 0 ? (summary as TelemetrySummary) : undefined;
}

/** What a webhook or Slack message says about one outcome, from the run and job as the read model holds them. */
export function buildNotice(outcome: JobWebhookEvent, occurredAt: string, run: RunRow, job: JobRow, runUrlTemplate: string): OutcomeNotice {
  const telemetrySummary = reportedSummary(run.telemetry_summary);
  return {
    outcome,
    occurredAt,
    orgId: run.org_id,
    projectId: run.project_id,
    job: { id: job.id, name: job.name },
    run: toJobRun(run),
    durationSeconds: roundSeconds(run.duration_seconds),
    errorSummary: run.error_summary,
    ...(telemetrySummary ? { telemetrySummary } : {}),
    runUrl: runLink(runUrlTemplate, run.id),
  };
}
