import {
  ClickHouseStore,
  DeliveryChannel,
  insertWebhookAttempts,
  JobRow,
  RunRow,
  selectExistingDeliveryIds,
  selectJobsByKey,
  selectRunsByKey,
  toChDateTime,
  WebhookAttemptRow,
} from '@runstream/clickhouse';
import { decodeEvent, RunStatus, toCanonicalStatus } from '@runstream/events';
import { IncomingMessage } from '@runstream/kafka';
import { logEndpoint, webhookMessageId } from '@runstream/webhooks';
import { NotifierMetrics } from '../metrics/notifier.metrics';
import { slackMessage } from '../slack';
import { buildNotice } from './notice-builder';
import { deliveryChannels, outcomeOfStatus, statusChangeTaken } from './outcome-rules';
import { ReadModelWatermark } from './read-model-watermark';
import { webhookBody } from './webhook-body';

/** A status change read from the log. */
interface StatusChange {
  orgId: string;
  projectId: string;
  runId: string;
  status: RunStatus;
  occurredAt: string;
  partition: number;
}

const key = (org: string, project: string, id: string): string => `${org}\u0000${project}\u0000${id}`;

/**
 * Turns one flush of runs.events.v1 into delivery series: for every status change the read model
 * took, on a run of a job that wants that outcome, one 'pending' row per channel, written before
 * the consumer commits. The series id is derived from (run, outcome, channel), and an id already in
 * the log opens nothing: a replayed flush, a rebalance or a restart never opens a second series.
 */
export class OutcomeIntake {
  constructor(
    private readonly store: ClickHouseStore,
    private readonly watermark: ReadModelWatermark,
    private readonly metrics: NotifierMetrics,
    private readonly options: { runUrl: string; readModelWaitMs: number; maxOutcomeAgeMs: number; now?: () => Date },
  ) {}

  async take(messages: IncomingMessage[]): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))();
    const changes = this.freshOnly(this.statusChanges(messages), now);
    if (changes.length === 0) return;
    const needed = new Map<number, string>();
    for (const message of messages) needed.set(message.partition, message.offset);
    await this.watermark.waitFor(needed, this.options.readModelWaitMs);

    const runs = new Map(
      (
        await selectRunsByKey(
          this.store,
          changes.map((c) => ({ org_id: c.orgId, project_id: c.projectId, id: c.runId })),
        )
      ).map((r) => [key(r.org_id, r.project_id, r.id), r]),
    );
    const jobs = await this.jobsOf([...runs.values()]);
    // A rebuild that began since waitFor may have shown these reads half-empty tables: the flush retries.
    await this.watermark.confirm(needed);
    const opened = new Map<string, WebhookAttemptRow>();
    for (const change of changes) {
      const run = runs.get(key(change.orgId, change.projectId, change.runId));
      const outcome = outcomeOfStatus(change.status);
      if (!run || !outcome || !statusChangeTaken(change.status, run)) continue;
      const job = jobs.get(key(run.org_id, run.project_id, run.job_id));
      if (!job) continue;
      this.metrics.outcomes.inc();
      for (const channel of deliveryChannels(job, outcome)) {
        const deliveryId = webhookMessageId(run.id, outcome, channel);
        if (opened.has(deliveryId)) continue;
        const notice = buildNotice(outcome, change.occurredAt, run, job, this.options.runUrl);
        const body = channel === 'webhook' ? webhookBody(notice) : JSON.stringify(slackMessage(notice, job.slack_channel));
        opened.set(deliveryId, pendingRow(run, job, outcome, channel, deliveryId, change.partition, body, now));
      }
    }
    const existing = await selectExistingDeliveryIds(this.store, [...opened.keys()]);
    const rows = [...opened.values()].filter((row) => !existing.has(row.delivery_id));
    await insertWebhookAttempts(this.store, rows);
    this.metrics.seriesOpened.inc(rows.length);
  }

  private statusChanges(messages: IncomingMessage[]): StatusChange[] {
    const changes: StatusChange[] = [];
    for (const message of messages) {
      const decoded = decodeEvent(message.value);
      // Undecodable messages are the materializer's to dead-letter; here they announce nothing.
      if (!decoded.ok || decoded.event.type !== 'run.patched' || decoded.event.payload.status === undefined) continue;
      const status = toCanonicalStatus(decoded.event.payload.status);
      if (!status) continue;
      const { org_id, project_id, run_id, occurred_at } = decoded.event;
      changes.push({ orgId: org_id, projectId: project_id, runId: run_id, status, occurredAt: occurred_at, partition: message.partition });
    }
    return changes;
  }

  /**
   * Outcomes older than maxOutcomeAgeMs open nothing. An outcome's series is found again only while
   * its rows are kept (35 days), so a group reading the log from the start (a new group, or offsets
   * expired) would otherwise send every older outcome again; and an alert that late tells nobody much.
   */
  private freshOnly(changes: StatusChange[], now: Date): StatusChange[] {
    const oldest = now.getTime() - this.options.maxOutcomeAgeMs;
    const fresh = changes.filter((change) => Date.parse(change.occurredAt) >= oldest);
    this.metrics.staleOutcomes.inc(changes.length - fresh.length);
    return fresh;
  }

  /** The live jobs the runs belong to; runs of no job (or of a deleted one) notify nobody. */
  private async jobsOf(runs: RunRow[]): Promise<Map<string, JobRow>> {
    const projects = new Map<string, { org_id: string; project_id: string }>();
    for (const run of runs) if (run.job_id !== '') projects.set(`${run.org_id}\u0000${run.project_id}`, { org_id: run.org_id, project_id: run.project_id });
    if (projects.size === 0) return new Map();
    const rows = await selectJobsByKey(this.store, [...projects.values()]);
    return new Map(rows.filter((job) => job.deleted === 0).map((job) => [key(job.org_id, job.project_id, job.id), job]));
  }
}

function pendingRow(
  run: RunRow,
  job: JobRow,
  outcome: string,
  channel: DeliveryChannel,
  deliveryId: string,
  partition: number,
  body: string,
  now: Date,
): WebhookAttemptRow {
  return {
    org_id: run.org_id,
    project_id: run.project_id,
    job_id: job.id,
    run_id: run.id,
    outcome,
    delivery_id: deliveryId,
    channel,
    kafka_partition: partition,
    endpoint: channel === 'webhook' ? logEndpoint(job.webhook_url) : `slack:${job.slack_channel}`,
    attempt: 1,
    status: 'pending',
    response_code: 0,
    error: '',
    duration_ms: 0,
    attempted_at: toChDateTime(now),
    next_attempt_at: toChDateTime(now),
    body,
  };
}
