import { OUTCOME_EVENT_TYPES, OutcomeNotice } from './outcome-notice';

/**
 * The JSON body of a webhook: Standard Webhooks' recommended envelope (`type`, `timestamp`,
 * `data`). Serialised once when the outcome is taken; every attempt sends these bytes.
 * `telemetrySummary` is present only when the run reported one.
 */
export function webhookBody(notice: OutcomeNotice): string {
  return JSON.stringify({
    type: OUTCOME_EVENT_TYPES[notice.outcome],
    timestamp: notice.occurredAt,
    data: {
      event: notice.outcome,
      project_id: notice.projectId,
      job: notice.job,
      run: notice.run,
      duration_seconds: notice.durationSeconds,
      errorSummary: notice.errorSummary,
      ...(notice.telemetrySummary ? { telemetrySummary: notice.telemetrySummary } : {}),
      run_url: notice.runUrl,
    },
  });
}
