import { Provider } from '@nestjs/common';
import { ClickHouseStore } from '@runstream/clickhouse';
import { createKafka, KafkajsPublisher } from '@runstream/kafka';
import { AppMetrics } from '@runstream/observability';
import { WebhookDeliverer } from '@runstream/webhooks';
import { Admin, Kafka } from 'kafkajs';
import { NOTIFIER_CONFIG, NotifierConfig } from './config/notifier.config';
import { Dispatcher } from './dispatch/dispatcher';
import { PartitionOwnership } from './dispatch/partition-ownership';
import { SlackChannel } from './dispatch/slack.channel';
import { WebhookChannel } from './dispatch/webhook.channel';
import { NotifierMetrics } from './metrics/notifier.metrics';
import { OutcomeIntake } from './outcomes/outcome-intake';
import { ReadModelWatermark } from './outcomes/read-model-watermark';

export const NOTIFIER_KAFKA = Symbol('NOTIFIER_KAFKA');
/** The admin connection the read model's committed offsets are read over. */
export const READ_MODEL_ADMIN = Symbol('READ_MODEL_ADMIN');
/** Publishes job.webhook_disabled when a receiver answers 410. */
export const JOB_EVENTS_PUBLISHER = Symbol('JOB_EVENTS_PUBLISHER');

/** Longest one flush waits for the read model before it is retried (the consumer backs off, keeps heartbeating). */
const READ_MODEL_WAIT_MS = 15_000;

function dispatcher(config: NotifierConfig, store: ClickHouseStore, ownership: PartitionOwnership, jobEvents: KafkajsPublisher, metrics: NotifierMetrics) {
  const deliverer = new WebhookDeliverer(store, {
    allowPrivate: config.webhooks.allowPrivate,
    timeoutMs: config.webhooks.timeoutMs,
    schedule: config.schedule,
  });
  const channels = {
    webhook: new WebhookChannel(store, deliverer, jobEvents, config.kafka.topics.jobs),
    slack: new SlackChannel(store, { ...config.slack, schedule: config.schedule }),
  };
  // A Slack Retry-After may exceed the schedule (capped at an hour).
  const maxRetryDelayMs = Math.max(config.schedule.maxDelayMs, 3_600_000);
  return new Dispatcher(store, ownership, channels, metrics, { concurrency: config.concurrency, pollIntervalMs: config.pollIntervalMs, maxRetryDelayMs });
}

/** The notifier's parts, built from its config; NotifierService starts and stops them in order. */
export const notifierProviders: Provider[] = [
  { provide: NOTIFIER_KAFKA, inject: [NOTIFIER_CONFIG], useFactory: (config: NotifierConfig) => createKafka(config.kafka) },
  { provide: READ_MODEL_ADMIN, inject: [NOTIFIER_KAFKA], useFactory: (kafka: Kafka) => kafka.admin() },
  {
    provide: JOB_EVENTS_PUBLISHER,
    inject: [NOTIFIER_KAFKA, AppMetrics],
    useFactory: (kafka: Kafka, appMetrics: AppMetrics) => new KafkajsPublisher(kafka, { deadlineMs: 10_000, observer: appMetrics }),
  },
  {
    provide: PartitionOwnership,
    inject: [NOTIFIER_CONFIG],
    // A gained partition waits out the longest attempt the previous owner may be finishing, webhook or Slack.
    useFactory: (config: NotifierConfig) => new PartitionOwnership(Math.max(config.webhooks.timeoutMs, config.slack.timeoutMs) + 2_000),
  },
  {
    provide: OutcomeIntake,
    inject: [NOTIFIER_CONFIG, ClickHouseStore, READ_MODEL_ADMIN, NotifierMetrics],
    useFactory: (config: NotifierConfig, store: ClickHouseStore, admin: Admin, metrics: NotifierMetrics) =>
      new OutcomeIntake(store, new ReadModelWatermark(admin, config.readModelGroupId, config.kafka.topics.events), metrics, {
        runUrl: config.runUrl,
        readModelWaitMs: READ_MODEL_WAIT_MS,
        maxOutcomeAgeMs: config.maxOutcomeAgeMs,
      }),
  },
  {
    provide: Dispatcher,
    inject: [NOTIFIER_CONFIG, ClickHouseStore, PartitionOwnership, JOB_EVENTS_PUBLISHER, NotifierMetrics],
    useFactory: dispatcher,
  },
];
