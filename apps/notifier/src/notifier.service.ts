import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ClickHouseStore } from '@runstream/clickhouse';
import { createKafka, ensureTopics, KafkajsBatchConsumer, KafkajsPublisher, runTopicSpecs } from '@runstream/kafka';
import { WebhookDeliverer } from '@runstream/webhooks';
import { Admin, Kafka } from 'kafkajs';
import { NOTIFIER_CONFIG, NotifierConfig } from './config/notifier.config';
import { Dispatcher } from './dispatch/dispatcher';
import { PartitionOwnership } from './dispatch/partition-ownership';
import { SlackChannel } from './dispatch/slack.channel';
import { WebhookChannel } from './dispatch/webhook.channel';
import { NotifierMetrics } from './metrics/notifier.metrics';
import { AppMetrics } from '@runstream/observability';
import { OutcomeIntake } from './outcomes/outcome-intake';
import { ReadModelWatermark } from './outcomes/read-model-watermark';

/** Longest one flush waits for the read model before it is retried (the consumer backs off, keeps heartbeating). */
const READ_MODEL_WAIT_MS = 15_000;
/** A notifier is a lagging reader, not a writer of record: it keeps retrying a failing flush for a day rather than exit. */
const MAX_FLUSH_RETRY_MS = 24 * 3_600_000;

/**
 * The notifier's two halves and their order. Intake: a consumer of runs.events.v1 (its own group)
 * that opens delivery series in the log before committing. Dispatch: sends the due attempts of the
 * partitions this instance owns. Shutdown: stop dispatching (attempts under way are recorded), then
 * stop the consumer (flush, commit), then disconnect.
 */
@Injectable()
export class NotifierService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notifier');
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly jobEvents: KafkajsPublisher;
  readonly consumer: KafkajsBatchConsumer;
  readonly ownership: PartitionOwnership;
  readonly dispatcher: Dispatcher;
  private readonly intake: OutcomeIntake;

  constructor(
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    store: ClickHouseStore,
    readonly metrics: NotifierMetrics,
    appMetrics: AppMetrics,
  ) {
    this.kafka = createKafka(config.kafka);
    this.admin = this.kafka.admin();
    this.jobEvents = new KafkajsPublisher(this.kafka, { deadlineMs: 10_000, observer: appMetrics });
    // A gained partition waits out the longest attempt the previous owner may be finishing, webhook or Slack.
    this.ownership = new PartitionOwnership(Math.max(config.webhooks.timeoutMs, config.slack.timeoutMs) + 2_000);
    this.intake = new OutcomeIntake(store, new ReadModelWatermark(this.admin, config.readModelGroupId, config.kafka.topics.events), metrics, {
      runUrl: config.runUrl,
      readModelWaitMs: READ_MODEL_WAIT_MS,
    });
    const deliverer = new WebhookDeliverer(store, {
      allowPrivate: config.webhooks.allowPrivate,
      timeoutMs: config.webhooks.timeoutMs,
      schedule: config.schedule,
    });
    this.dispatcher = new Dispatcher(
      store,
      this.ownership,
      {
        webhook: new WebhookChannel(store, deliverer, this.jobEvents, config.kafka.topics.jobs),
        slack: new SlackChannel(store, { ...config.slack, schedule: config.schedule }),
      },
      metrics,
      // A Slack Retry-After may exceed the schedule (capped at an hour).
      { concurrency: config.concurrency, pollIntervalMs: config.pollIntervalMs, maxRetryDelayMs: Math.max(config.schedule.maxDelayMs, 3_600_000) },
    );
    this.consumer = new KafkajsBatchConsumer(this.kafka, {
      groupId: config.groupId,
      topic: config.kafka.topics.events,
      maxBatchSize: 2_000,
      flushIntervalMs: 100,
      maxBytesInFlight: 8 * 1024 * 1024,
      maxRetryMs: MAX_FLUSH_RETRY_MS,
      sessionTimeoutMs: config.sessionTimeoutMs,
      onAssignment: (partitions) => {
        this.ownership.assign(partitions);
        this.metrics.ownedPartitions.set(partitions.length);
      },
      onSinkError: (error, attempt) => this.logger.warn(`taking outcomes failed (attempt ${attempt}), retrying: ${error.message}`),
      onFatal: (error) => {
        // As the materializer does: a member that cannot consume must not hold partitions (and their series).
        this.ownership.release();
        this.logger.fatal(`FATAL: the notifier's consumer gave up; ending the process (exit status 1) so a supervisor restarts it: ${error.message}`);
        process.exit(1);
      },
    });
    appMetrics.watchLag(config.groupId, config.kafka.topics.events, this.consumer);
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureTopics(this.kafka, runTopicSpecs(this.config.kafka), this.config.kafka.brokers);
    await this.admin.connect();
    await this.jobEvents.connect();
    await this.consumer.start((messages) => this.intake.take(messages));
    this.dispatcher.start();
    this.logger.log(`consuming ${this.config.kafka.topics.events} as group ${this.config.groupId}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.ownership.release();
    await this.dispatcher.stop();
    await this.consumer.stop();
    await this.jobEvents.disconnect();
    await this.admin.disconnect();
  }
}
