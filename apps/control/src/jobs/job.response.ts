import { fromChDateTime, jobResourcesOf, JobRow, jobWebhookEventsOf, stringMapOf } from '@runstream/clickhouse';
import { JobSpec } from '@runstream/events';

/** What every secret value is answered as (environment and webhook_headers values). */
export const SECRET_MASK = '********';

/** The reference's Job object, secrets masked: the spec plus its ids and times. */
export type JobResponse = { id: string; project_id: string } & JobSpec & { created_at: string; updated_at: string };

/** The create answer: the Job and its webhook signing secret, the only answer that ever shows it. */
export type CreatedJobResponse = JobResponse & { webhook_secret: string };

/** The rotate answer: the new secret, and when the one it replaces stops signing (RFC 3339). */
export interface WebhookSecretRotation {
  webhook_secret: string;
  previous_secret_expires_at: string;
}

export interface JobListResponse {
  jobs: JobResponse[];
  total: number;
}

function masked(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(map).map((key) => [key, SECRET_MASK]));
}

/** The stored definition of a job row, secrets in clear (for executors, never for answers). The webhook signing secrets are not part of it. */
export function specOf(row: JobRow): JobSpec {
  return {
    name: row.name,
    description: row.description,
    command: row.command,
    schedule: row.schedule,
    timezone: row.timezone,
    enabled: row.enabled === 1,
    resources: jobResourcesOf(row.resources),
    environment: stringMapOf(row.environment),
    slack_channel: row.slack_channel,
    slack_alerts_enabled: row.slack_alerts_enabled === 1,
    slack_alert_on_success: row.slack_alert_on_success === 1,
    webhook_url: row.webhook_url,
    webhook_headers: stringMapOf(row.webhook_headers),
    webhook_events: jobWebhookEventsOf(row.webhook_events),
    webhook_enabled: row.webhook_enabled === 1,
  };
}

export function toJobResponse(row: JobRow): JobResponse {
  const spec = specOf(row);
  return {
    id: row.id,
    project_id: row.project_id,
    ...spec,
    environment: masked(spec.environment),
    webhook_headers: masked(spec.webhook_headers),
    created_at: fromChDateTime(row.created_at),
    updated_at: fromChDateTime(row.updated_at),
  };
}
