import { Logger } from '@nestjs/common';
import { ClickHouseStore, countOpenDeliveries, DueDelivery, insertWebhookAttempts, selectDueDeliveries, WebhookAttemptRow } from '@runstream/clickhouse';
import { KeyedCounts, PeriodicTask } from '@runstream/runtime';
import pLimit from 'p-limit';
import { NotifierMetrics } from '../metrics/notifier.metrics';
import { PartitionOwnership } from './partition-ownership';
import { SlackChannel } from './slack.channel';
import { WebhookChannel } from './webhook.channel';

export interface DispatcherOptions {
  concurrency: number;
  pollIntervalMs: number;
  /** The longest wait between two attempts (the schedule's largest cap, or a Retry-After). */
  maxRetryDelayMs: number;
}

/** How often a pass reads the whole open-series window (and counts the queue) instead of the recent rows. */
const FULL_PASS_EVERY_MS = 60_000;

/**
 * The receiver host an attempt goes to (every Slack alert goes to Slack's), without its port: the
 * due-deliveries query groups by ClickHouse's domain(), and both sides must count the same hosts.
 */
export function receiverHost(due: Pick<DueDelivery, 'channel' | 'endpoint'>): string {
  if (due.channel === 'slack') return 'slack';
  try {
    return new URL(due.endpoint).hostname;
  } catch {
    return due.endpoint;
  }
}

/** Attempts in flight to one host at most: a quarter of the concurrency (at least 1). */
export function perHostLimit(concurrency: number): number {
  return Math.max(1, Math.floor(concurrency / 4));
}

/**
 * Sends the due attempts of the series this instance owns: those whose runs.events.v1 partition
 * the notifier's consumer group gave it. Every attempt is read from and written to the delivery
 * log, so whoever owns a partition next (after a rebalance, a crash or a restart) continues its
 * series where the log says they stand; no series is held only in memory.
 */
export class Dispatcher {
  private readonly logger = new Logger('Dispatcher');
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Attempts in flight per receiver host: a slow or hanging receiver holds at most perHostLimit of the slots. */
  private readonly hostsInFlight = new KeyedCounts();
  private readonly task: PeriodicTask;
  private lastFullPass = 0;
  /**
   * The attempt this instance last made per series, for a minute: a pass whose read began before
   * that attempt was recorded (a ClickHouse server answers reads concurrently with inserts) would
   * otherwise see the series still due and send the same attempt again.
   */
  private readonly made = new Map<string, { attempt: number; at: number }>();
  /**
   * Attempts made but not recorded (ClickHouse refused the insert): recorded again each pass, and
   * their series not sent from meanwhile, so a failing insert never makes a receiver (or a Slack
   * channel) get the same attempt once a pass.
   */
  private readonly unrecorded = new Map<string, WebhookAttemptRow>();

  constructor(
    private readonly store: ClickHouseStore,
    private readonly ownership: PartitionOwnership,
    private readonly channels: { webhook: WebhookChannel; slack: SlackChannel },
    private readonly metrics: NotifierMetrics,
    private readonly options: DispatcherOptions,
  ) {
    this.limit = pLimit(options.concurrency);
    this.task = new PeriodicTask(
      () => this.pass(),
      () => options.pollIntervalMs,
      (error) => this.logger.error(`dispatch pass failed: ${(error as Error).message}`),
    );
  }

  start(): void {
    this.task.start(0);
  }

  /** No new attempt starts; resolves once the attempts under way are made, and recorded if ClickHouse takes them. */
  async stop(): Promise<void> {
    await this.task.stop();
    await Promise.allSettled([...this.inFlight.values()]);
    // Last try: an attempt left unrecorded is made again, under the same webhook-id, after a restart.
    if (this.unrecorded.size > 0) await this.recordAgain();
  }

  /** One look at the log: start every due attempt not already under way, up to the concurrency. */
  async pass(): Promise<void> {
    const now = new Date();
    const partitions = this.ownership.sendable(now.getTime());
    const full = now.getTime() - this.lastFullPass >= FULL_PASS_EVERY_MS;
    // Between full passes only rows young enough to belong to a series still retrying are read.
    const lookbackMs = full ? undefined : this.options.maxRetryDelayMs + 10 * 60_000;
    if (this.unrecorded.size > 0) await this.recordAgain();
    const free = this.options.concurrency * 2 - this.inFlight.size;
    if (free > 0) {
      const perHost = perHostLimit(this.options.concurrency);
      for (const due of await selectDueDeliveries(this.store, partitions, now, free + this.inFlight.size, lookbackMs, perHost)) {
        if (this.inFlight.has(due.delivery_id) || this.unrecorded.has(due.delivery_id) || due.attempt <= (this.made.get(due.delivery_id)?.attempt ?? 0))
          continue;
        const host = receiverHost(due);
        if (this.hostsInFlight.of(host) >= perHost) continue;
        this.hostsInFlight.add(host);
        const sent = this.limit(() => this.send(due)).finally(() => {
          this.inFlight.delete(due.delivery_id);
          this.hostsInFlight.remove(host);
        });
        this.inFlight.set(due.delivery_id, sent);
      }
    }
    if (full) {
      this.lastFullPass = now.getTime();
      for (const [id, { at }] of this.made) if (now.getTime() - at > FULL_PASS_EVERY_MS && !this.unrecorded.has(id)) this.made.delete(id);
      this.metrics.queueDepth.set(await countOpenDeliveries(this.store, partitions, now));
    }
  }

  private async send(due: DueDelivery): Promise<void> {
    // The partition may have moved to another instance while this waited for a slot.
    if (!this.ownership.canSend(due.kafka_partition, Date.now())) return;
    const stopTimer = this.metrics.attemptSeconds.startTimer({ channel: due.channel });
    let row: WebhookAttemptRow;
    try {
      row = due.channel === 'webhook' ? await this.channels.webhook.attempt(due) : await this.channels.slack.attempt(due);
    } catch (error) {
      // Not made (the job could not be read, say): the series stays due and the next pass retries.
      this.logger.warn(`attempt ${due.attempt} of ${due.delivery_id} not made: ${(error as Error).message}`);
      return;
    } finally {
      stopTimer();
    }
    this.made.set(due.delivery_id, { attempt: row.attempt, at: Date.now() });
    try {
      await insertWebhookAttempts(this.store, [row]);
    } catch (error) {
      this.unrecorded.set(due.delivery_id, row);
      this.logger.warn(`attempt ${due.attempt} of ${due.delivery_id} made but not recorded yet: ${(error as Error).message}`);
    }
    this.metrics.attempts.inc({ channel: due.channel, result: row.status });
    if (row.status !== 'retrying') this.metrics.deliveries.inc({ channel: due.channel, result: row.status });
  }

  /** One insert of every attempt made but not recorded yet; those it records leave the list. */
  private async recordAgain(): Promise<void> {
    const rows = [...this.unrecorded.values()];
    try {
      await insertWebhookAttempts(this.store, rows);
      for (const row of rows) this.unrecorded.delete(row.delivery_id);
    } catch (error) {
      this.logger.warn(`${rows.length} attempts still not recorded: ${(error as Error).message}`);
    }
  }
}
