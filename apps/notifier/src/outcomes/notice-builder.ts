import { JobRow, roundSeconds, RunRow, toJobRun } from '@runstream/clickhouse';
import { JobWebhookEvent, TelemetrySummary } from '@runstream/events';
import { OutcomeNotice } from './outcome-notice';
import { runLink } from './outcome-rules';

function reportedSummary(text: string): TelemetrySummary | undefined {
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Object.keys(parsed).length > 0) return parsed as TelemetrySummary;
  } catch {
    // The fold writes only JSON objects here; anything else is treated as not reported.
  }
  return undefined;
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
