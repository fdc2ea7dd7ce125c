import { ConflictException, GoneException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  activeWebhookSecrets,
  ClickHouseStore,
  findDelivery,
  findJob,
  insertWebhookAttempts,
  selectDeliveryBody,
  JobRow,
  listJobDeliveries,
  stringMapOf,
  toChDateTime,
  WebhookDelivery,
} from '@runstream/clickhouse';
import { Caller, invalidFields } from '@runstream/http';
import { testWebhookBody, WebhookDeliverer } from '@runstream/webhooks';
import { randomBytes } from 'node:crypto';
import { CONTROL_CONFIG, ControlConfig } from '../config/control.config';
import { DeliveryDetailResponse, DeliveryListResponse, DeliveryResponse, TestEventResponse, toAttemptResponse, toDeliveryResponse } from './delivery.response';
import { TestSendSlots } from './test-send-slots';

/**
 * The delivery log of a job (written by the notifier), a manual redelivery (a 'pending' row the
 * notifier owning the run's partition picks up, under the same webhook-id, on a fresh retry
 * schedule) and the test event (one signed request sent from here, at once, and logged; one
 * per job and a few per instance at a time: test-send-slots.ts).
 */
@Injectable()
export class DeliveriesService {
  private readonly deliverer: WebhookDeliverer;
  private readonly testSends: TestSendSlots;

  constructor(
    private readonly store: ClickHouseStore,
    @Inject(CONTROL_CONFIG) config: ControlConfig,
  ) {
    this.deliverer = new WebhookDeliverer(store, config.webhooks);
    this.testSends = new TestSendSlots(Math.ceil(config.webhooks.timeoutMs / 1000));
  }

  async list(caller: Caller, projectId: string, jobId: string, limit: number): Promise<DeliveryListResponse> {
    await this.job(caller, projectId, jobId);
    return { deliveries: (await listJobDeliveries(this.store, caller.orgId, projectId, jobId, limit)).map(toDeliveryResponse) };
  }

  async get(caller: Caller, projectId: string, jobId: string, deliveryId: string): Promise<DeliveryDetailResponse> {
    const delivery = await this.delivery(caller, projectId, jobId, deliveryId);
    return { ...toDeliveryResponse(delivery.summary), attempt_log: delivery.attempts.map(toAttemptResponse) };
  }

  async redeliver(caller: Caller, projectId: string, jobId: string, deliveryId: string): Promise<DeliveryResponse> {
    await this.job(caller, projectId, jobId);
    const delivery = await this.delivery(caller, projectId, jobId, deliveryId);
    const last = delivery.rows[delivery.rows.length - 1];
    if (last.outcome === 'test') throw new ConflictException('a test event is not redelivered: send a new one (POST …/webhook/test)');
    if (last.status === 'pending' || last.status === 'retrying') {
      throw new ConflictException(`delivery ${deliveryId} is still being delivered (next attempt at ${last.next_attempt_at ?? 'now'}Z)`);
    }
    const now = toChDateTime(new Date());
    // The same body again, carried on this row too: the series' opening row may be older than the notifier's window.
    const body = await selectDeliveryBody(this.store, caller.orgId, deliveryId);
    if (body === '') {
      throw new GoneException(`delivery ${deliveryId}'s body is no longer kept (attempts are kept 35 days, migration 0021's TTL): it cannot be sent again`);
    }
    await insertWebhookAttempts(this.store, [
      { ...last, attempt: last.attempt + 1, status: 'pending', response_code: 0, error: '', duration_ms: 0, attempted_at: now, next_attempt_at: now, body },
    ]);
    return toDeliveryResponse((await this.delivery(caller, projectId, jobId, deliveryId)).summary);
  }

  async sendTest(caller: Caller, projectId: string, jobId: string): Promise<TestEventResponse> {
    const job = await this.job(caller, projectId, jobId);
    if (job.webhook_url === '') throw invalidFields([{ field: 'webhook_url', reasons: ['the job has no webhook_url to send a test event to'] }]);
    const secrets = activeWebhookSecrets(job, new Date());
    if (secrets.length === 0) throw new ConflictException('the job has no webhook signing secret: rotate one first (POST …/webhook-secret/rotate)');
    const deliveryId = `msg_${randomBytes(16).toString('hex')}`;
    const row = await this.testSends.run({ orgId: caller.orgId, jobKey: `${caller.orgId}/${projectId}/${jobId}` }, () =>
      this.deliverer.attemptOnce(
        {
          orgId: caller.orgId,
          projectId,
          jobId,
          runId: '',
          outcome: 'test',
          deliveryId,
          url: job.webhook_url,
          headers: stringMapOf(job.webhook_headers),
          secrets,
          body: testWebhookBody(projectId, { id: job.id, name: job.name }, new Date()),
        },
        1,
        1,
        false,
      ),
    );
    return {
      delivery_id: deliveryId,
      status: row.status,
      response_code: row.response_code === 0 ? null : row.response_code,
      duration_ms: row.duration_ms,
      error: row.error,
    };
  }

  private async job(caller: Caller, projectId: string, jobId: string): Promise<JobRow> {
    const job = await findJob(this.store, caller.orgId, projectId, jobId);
    if (!job) throw new NotFoundException(`job ${jobId} not found`);
    return job;
  }

  private async delivery(caller: Caller, projectId: string, jobId: string, deliveryId: string): Promise<WebhookDelivery> {
    const delivery = await findDelivery(this.store, caller.orgId, deliveryId);
    const first = delivery?.rows[0];
    if (!delivery || !first || first.project_id !== projectId || first.job_id !== jobId) throw new NotFoundException(`delivery ${deliveryId} not found`);
    return delivery;
  }
}
