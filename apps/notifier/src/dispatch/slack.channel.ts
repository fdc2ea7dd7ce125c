import { ClickHouseStore, DueDelivery, findJob, WebhookAttemptRow } from '@runstream/clickhouse';
import { MAX_ATTEMPTS, nextAttemptAt, RetrySchedule } from '@runstream/webhooks';
import { postSlackMessage, SlackMessage } from '../slack';
import { seriesEnded } from '../outcomes/outcome-rules';
import { attemptRow } from './attempt-row';

export interface SlackChannelOptions {
  token: string;
  baseUrl: string;
  timeoutMs: number;
  schedule: RetrySchedule;
}

/**
 * One chat.postMessage of a due Slack alert, to the job's channel as it is now: a deleted job or
 * alerts turned off end the series, a corrected channel rescues it. Retried on the webhooks'
 * schedule, except that a 429's Retry-After sets the wait (never sooner); errors a retry cannot
 * fix (a missing channel, a revoked token) end the series at once.
 */
export class SlackChannel {
  constructor(
    private readonly store: ClickHouseStore,
    private readonly options: SlackChannelOptions,
  ) {}

  /** The attempt's row, not yet recorded: the dispatcher records it (and keeps it until it is). */
  async attempt(due: DueDelivery): Promise<WebhookAttemptRow> {
    const attemptedAt = new Date();
    let row: WebhookAttemptRow;
    const message = storedMessage(due.body);
    const notSent = (error: string) => attemptRow(due, { status: 'failed', responseCode: 0, error, durationMs: 0, attemptedAt, next: null });
    const job = await findJob(this.store, due.org_id, due.project_id, due.job_id);
    const ended = seriesEnded(job, due.outcome, 'slack');
    if (!job || ended !== undefined) {
      row = notSent(`not sent: ${ended}`);
    } else if (this.options.token === '') {
      row = notSent('not sent: no Slack bot token configured (NOTIFIER_SLACK_BOT_TOKEN)');
    } else if (message === undefined) {
      // Recorded as failed, so the series ends rather than fail again on every pass.
      row = notSent('not sent: the stored message is not a Slack message (empty or not JSON)');
    } else {
      const { token, baseUrl, timeoutMs } = this.options;
      const result = await postSlackMessage({ token, baseUrl, timeoutMs }, { ...message, channel: job.slack_channel });
      const inSeries = due.attempt - due.series_start + 1;
      let next: Date | null = null;
      if (result.verdict === 'retry' && inSeries < MAX_ATTEMPTS) {
        const scheduled = nextAttemptAt(inSeries, new Date(), Math.random, this.options.schedule) as Date;
        next = result.retryAfterMs !== undefined ? new Date(Math.max(scheduled.getTime(), Date.now() + result.retryAfterMs)) : scheduled;
      }
      const status = result.verdict === 'delivered' ? 'delivered' : next ? 'retrying' : 'failed';
      row = attemptRow(due, { status, responseCode: result.status, error: result.error, durationMs: result.durationMs, attemptedAt, next });
    }
    return row;
  }
}

/** The chat.postMessage body the alert was opened with, or undefined if what is stored is not one. */
export function storedMessage(body: string): SlackMessage | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as SlackMessage) : undefined;
  } catch {
    return undefined;
  }
}
