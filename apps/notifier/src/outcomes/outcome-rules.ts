import { DeliveryChannel, JobRow, RunRow } from '@runstream/clickhouse';
import { isTerminal, JOB_WEBHOOK_EVENTS, JobWebhookEvent, RunStatus, toCanonicalStatus } from '@runstream/events';

/** The outcome a status change announces: `failure` covers failed, error and partial; pending announces nothing. */
export function outcomeOfStatus(status: RunStatus): JobWebhookEvent | undefined {
  switch (status) {
    case 'running':
      return 'started';
    case 'success':
      return 'success';
    case 'failed':
    case 'error':
    case 'partial':
      return 'failure';
    case 'cancelled':
      return 'cancelled';
    case 'pending':
      return undefined;
  }
}

/**
 * Whether the read model took the status change: the run fold refuses any change of a terminal
 * run, so a terminal status the run does not hold was refused. A `running` change is taken unless
 * the run ended without ever starting (then the change came after the end and was refused).
 */
export function statusChangeTaken(reported: RunStatus, run: Pick<RunRow, 'status' | 'start_time'>): boolean {
  const now = toCanonicalStatus(run.status);
  if (now === undefined) return false;
  if (isTerminal(reported)) return now === reported;
  if (reported === 'running') return now === 'running' || (isTerminal(now) && run.start_time !== null);
  return false;
}

/**
 * Where one outcome of a job's run goes. Webhook: enabled, a URL, and the outcome among
 * webhook_events (an empty list means every outcome). Slack: a channel and slack_alerts_enabled,
 * and for a success slack_alert_on_success too ("also alert on success", the reference).
 */
export function deliveryChannels(job: JobRow, outcome: JobWebhookEvent): DeliveryChannel[] {
  const channels: DeliveryChannel[] = [];
  const events = job.webhook_events;
  if (job.webhook_enabled === 1 && job.webhook_url !== '' && (events.length === 0 || events.includes(outcome))) channels.push('webhook');
  const slackWanted = outcome === 'failure' || (outcome === 'success' && job.slack_alert_on_success === 1);
  if (job.slack_channel !== '' && job.slack_alerts_enabled === 1 && slackWanted) channels.push('slack');
  return channels;
}

/**
 * Why the job as it is now no longer wants a due attempt of its series (deleted, the channel
 * turned off, the outcome taken out of what it asks for); undefined when it still does. Checked
 * before every attempt, so an edit takes effect on the series still retrying.
 */
export function seriesEnded(job: JobRow | undefined, outcome: string, channel: DeliveryChannel): string | undefined {
  if (!job) return 'the job was deleted';
  const known = (JOB_WEBHOOK_EVENTS as readonly string[]).includes(outcome);
  if (known && deliveryChannels(job, outcome as JobWebhookEvent).includes(channel)) return undefined;
  if (channel === 'webhook') {
    return job.webhook_enabled !== 1 || job.webhook_url === '' ? "the job's webhook is disabled" : `the job's webhook_events no longer include ${outcome}`;
  }
  return job.slack_channel === '' || job.slack_alerts_enabled !== 1 ? "the job's Slack alerts are disabled" : `the job no longer alerts Slack on ${outcome}`;
}

/** The link to a run: the template's `{run_id}` replaced. */
export function runLink(template: string, runId: string): string {
  return template.replaceAll('{run_id}', encodeURIComponent(runId));
}
