import { Logger } from '@nestjs/common';
import { activeWebhookSecrets, ClickHouseStore, DueDelivery, findJob, stringMapOf, WebhookAttemptRow } from '@runstream/clickhouse';
import { encodeJobEvent, jobEventKey, webhookDisabledEvent } from '@runstream/events';
import { EventPublisher } from '@runstream/kafka';
import { WebhookDeliverer } from '@runstream/webhooks';
import { seriesEnded } from '../outcomes/outcome-rules';
import { attemptRow } from './attempt-row';

/**
 * One webhook attempt of a due delivery, to the job's webhook as it is now: a fixed URL or
 * headers rescue a series still retrying; a deleted job, a disabled webhook or an outcome taken
 * out of webhook_events ends it. A 410 also turns the job's webhook off (a job.webhook_disabled
 * command, applied only if the URL is unchanged).
 */
export class WebhookChannel {
  private readonly logger = new Logger('WebhookChannel');

  constructor(
    private readonly store: ClickHouseStore,
    private readonly deliverer: WebhookDeliverer,
    private readonly jobEvents: EventPublisher,
    private readonly jobsTopic: string,
  ) {}

  /** The attempt's row, not yet recorded: the dispatcher records it (and keeps it until it is). */
  async attempt(due: DueDelivery): Promise<WebhookAttemptRow> {
    const now = new Date();
    const job = await findJob(this.store, due.org_id, due.project_id, due.job_id);
    const secrets = job ? activeWebhookSecrets(job, now) : [];
    const ended = seriesEnded(job, due.outcome, 'webhook') ?? (secrets.length === 0 ? 'the job has no signing secret (rotate one)' : undefined);
    if (!job || ended) {
      return attemptRow(due, { status: 'failed', responseCode: 0, error: `not sent: ${ended}`, durationMs: 0, attemptedAt: now, next: null });
    }
    const row = await this.deliverer.unrecordedAttempt(
      {
        orgId: due.org_id,
        projectId: due.project_id,
        jobId: due.job_id,
        runId: due.run_id,
        outcome: due.outcome,
        deliveryId: due.delivery_id,
        kafkaPartition: due.kafka_partition,
        url: job.webhook_url,
        headers: stringMapOf(job.webhook_headers),
        secrets,
        body: due.body,
      },
      due.attempt,
      due.series_start,
    );
    // Not awaited: the attempt is recorded at once, within the deadline the partition handover waits out.
    if (row.status === 'disabled') void this.disableWebhook(due, job.webhook_url);
    return row;
  }

  private async disableWebhook(due: DueDelivery, url: string): Promise<void> {
    const event = webhookDisabledEvent({
      orgId: due.org_id,
      projectId: due.project_id,
      jobId: due.job_id,
      webhookUrl: url,
      reason: `the receiver answered 410 Gone (delivery ${due.delivery_id})`,
      now: new Date(),
    });
    try {
      await this.jobEvents.publish(this.jobsTopic, [{ key: jobEventKey(due.org_id, due.project_id), value: encodeJobEvent(event) }]);
      this.logger.log(`the receiver of job ${due.job_id} answered 410 Gone: its webhook is turned off`);
    } catch (error) {
      // The delivery is already disabled in the log; the job keeps its flag until the next 410.
      this.logger.warn(`could not turn off the webhook of job ${due.job_id}: ${(error as Error).message}`);
    }
  }
}
