import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  ClickHouseStore,
  findDelivery,
  fromChDateTime,
  insertWebhookAttempts,
  toChDateTime,
  WebhookAttemptRow,
  WebhookAttemptStatus,
} from '@runstream/clickhouse';
import { attemptVerdict, MAX_ATTEMPTS, nextAttemptAt, RetrySchedule } from './retry-schedule';
import { signedHeaders } from './signing';
import { checkWebhookUrl, UrlGuardOptions } from './url-guard';
import { AttemptResult, mergeHeaders, sendWebhook } from './webhook-attempt';

/** One outcome of one run to send to one endpoint. */
export interface WebhookDeliveryRequest {
  orgId: string;
  projectId: string;
  jobId: string;
  runId: string;
  outcome: string;
  /** The webhook-id (webhookMessageId): the same on every attempt, across restarts. */
  deliveryId: string;
  /** The runs.events.v1 partition of the run (recorded: its owner sends the series). */
  kafkaPartition?: number;
  url: string;
  /** The job's webhook_headers. */
  headers: Readonly<Record<string, string>>;
  /** The job's active signing secrets: one, or the new and the old during a rotation. */
  secrets: string | readonly string[];
  /** The JSON body, serialised once: every attempt sends the same bytes. */
  body: string;
}

export interface WebhookDelivererOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** Injectable for tests, so a series of 8 attempts does not take two hours. */
  now?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Shorter waits than the default schedule (tests, local development). */
  schedule?: RetrySchedule;
  resolve?: UrlGuardOptions['resolve'];
}

export interface DeliveryResult {
  deliveryId: string;
  status: Exclude<WebhookAttemptStatus, 'retrying'>;
  attempts: number;
  lastResponseCode: number;
}

/** The URL as the delivery log shows it: no credentials, query string or fragment (they may hold tokens). */
export function logEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '';
  }
}

/**
 * Runs one delivery series: attempts per the retry schedule until one is delivered, the
 * receiver answers 410 (disabled), the URL is refused, or the last attempt fails. Every attempt is
 * recorded in webhook_deliveries before the next is planned, so a series interrupted by a crash
 * (or an aborted `signal`) resumes where the log says it stands, with the same webhook-id, and a
 * finished series is never sent again. An attempt sent but not yet recorded when the process died
 * is sent again on resume under the same attempt number and webhook-id (receivers dedupe on it).
 */
export class WebhookDeliverer {
  private readonly now: () => Date;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly store: ClickHouseStore,
    private readonly options: WebhookDelivererOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.random = options.random ?? Math.random;
  }

  /** Runs (or resumes) the series; `recorded` are its rows already in the log, read from it when omitted. */
  async deliver(request: WebhookDeliveryRequest, recorded?: readonly WebhookAttemptRow[], signal?: AbortSignal): Promise<DeliveryResult> {
    const rows = recorded ?? (await findDelivery(this.store, request.orgId, request.deliveryId))?.rows ?? [];
    let last = rows.at(-1);
    const seriesStart = [...rows].reverse().find((row) => row.status === 'pending')?.attempt ?? 1;
    let count = rows.filter((row) => row.status !== 'pending').length;
    while (!last || last.status === 'retrying' || last.status === 'pending') {
      if (last?.next_attempt_at) await this.waitUntil(new Date(fromChDateTime(last.next_attempt_at)), signal);
      signal?.throwIfAborted();
      const attempt = !last ? 1 : last.status === 'pending' ? last.attempt : last.attempt + 1;
      last = await this.attemptOnce(request, attempt, seriesStart);
      count += 1;
    }
    return { deliveryId: request.deliveryId, status: last.status, attempts: count, lastResponseCode: last.response_code };
  }

  /**
   * Makes attempt number `attempt` of the series and records it; the retry schedule counts from
   * `seriesStart` (a manual redelivery starts a new schedule under the same webhook-id).
   * `retry: false` makes a single attempt (a test event): a failure is final.
   */
  async attemptOnce(request: WebhookDeliveryRequest, attempt: number, seriesStart = 1, retry = true): Promise<WebhookAttemptRow> {
    const row = await this.unrecordedAttempt(request, attempt, seriesStart, retry);
    await insertWebhookAttempts(this.store, [row]);
    return row;
  }

  /** attemptOnce without recording it: for a caller that records it itself, and must not send it again when recording fails. */
  unrecordedAttempt(request: WebhookDeliveryRequest, attempt: number, seriesStart = 1, retry = true): Promise<WebhookAttemptRow> {
    return this.attempt(request, attempt, retry ? attempt - seriesStart + 1 : MAX_ATTEMPTS);
  }

  private async waitUntil(due: Date, signal?: AbortSignal): Promise<void> {
    const wait = due.getTime() - this.now().getTime();
    if (wait > 0) await this.sleep(wait, signal);
  }

  /** One attempt, signed afresh (the timestamp is the attempt's), as the row that records it. */
  private async attempt(request: WebhookDeliveryRequest, attempt: number, inSeries: number): Promise<WebhookAttemptRow> {
    const attemptedAt = this.now();
    // One deadline for the whole attempt, the lookup included: the notifier's partition handover waits out no more.
    const started = performance.now();
    const check = await checkWebhookUrl(request.url, {
      allowPrivate: this.options.allowPrivate,
      resolve: this.options.resolve,
      resolveTimeoutMs: this.options.timeoutMs,
    });
    let result: AttemptResult;
    let status: WebhookAttemptStatus;
    let next: Date | null = null;
    if (!check.ok && check.kind === 'refused') {
      // A URL the guard refuses stays refused: no point retrying it.
      result = { ok: false, status: 0, error: `refused: ${check.reason}`, durationMs: 0 };
      status = 'failed';
    } else {
      if (check.ok) {
        const timestamp = Math.floor(this.now().getTime() / 1000);
        const headers = mergeHeaders(request.headers, signedHeaders(request.secrets, request.deliveryId, timestamp, request.body));
        result = await sendWebhook(check.target, headers, request.body, this.options.timeoutMs, performance.now() - started);
      } else {
        result = { ok: false, status: 0, error: check.reason, durationMs: 0 };
      }
      const verdict = attemptVerdict(result.status, result.ok);
      next = verdict === 'retry' && !result.refused ? nextAttemptAt(inSeries, this.now(), this.random, this.options.schedule) : null;
      status = verdict === 'delivered' ? 'delivered' : verdict === 'disabled' ? 'disabled' : next ? 'retrying' : 'failed';
    }
    return {
      org_id: request.orgId,
      project_id: request.projectId,
      job_id: request.jobId,
      run_id: request.runId,
      outcome: request.outcome,
      delivery_id: request.deliveryId,
      channel: 'webhook',
      kafka_partition: request.kafkaPartition ?? 0,
      endpoint: logEndpoint(request.url),
      attempt,
      status,
      response_code: result.status,
      error: result.error.slice(0, 1024),
      duration_ms: result.durationMs,
      attempted_at: toChDateTime(attemptedAt),
      next_attempt_at: next ? toChDateTime(next) : null,
    };
  }
}
