import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ensureTopics, KafkajsBatchConsumer, KafkajsPublisher, runTopicSpecs } from '@runstream/kafka';
import { AppMetrics } from '@runstream/observability';
import { Admin, Kafka } from 'kafkajs';
import { NOTIFIER_CONFIG, NotifierConfig } from './config/notifier.config';
import { Dispatcher } from './dispatch/dispatcher';
import { PartitionOwnership } from './dispatch/partition-ownership';
import { NotifierMetrics } from './metrics/notifier.metrics';
import { JOB_EVENTS_PUBLISHER, NOTIFIER_KAFKA, READ_MODEL_ADMIN } from './notifier.providers';
import { OutcomeIntake } from './outcomes/outcome-intake';

/** A notifier is a lagging reader, not a writer of record: it keeps retrying a failing flush for a day rather than exit. */
const MAX_FLUSH_RETRY_MS = 24 * 3_600_000;

/**
 * The notifier's two halves and their order (its parts are built in notifier.providers.ts). Intake: a consumer of runs.events.v1 (its own group)
 * that opens delivery series in the log before committing. Dispatch: sends the due attempts of the
 * partitions this instance owns. Shutdown: stop dispatching (attempts under way are recorded), then
 * stop the consumer (flush, commit), then disconnect.
 */
@Injectable()
export class NotifierService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notifier');
  readonly consumer: KafkajsBatchConsumer;

  constructor(
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    @Inject(NOTIFIER_KAFKA) private readonly kafka: Kafka,
    @Inject(READ_MODEL_ADMIN) private readonly admin: Admin,
    @Inject(JOB_EVENTS_PUBLISHER) private readonly jobEvents: KafkajsPublisher,
    readonly ownership: PartitionOwnership,
    private readonly intake: OutcomeIntake,
    readonly dispatcher: Dispatcher,
    readonly metrics: NotifierMetrics,
    appMetrics: AppMetrics,
  ) {
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
      // A flush stuck retrying may learn that its partitions went elsewhere: their series are the new owner's to send.
      onRevoked: (reason) => {
        this.ownership.release();
        this.metrics.ownedPartitions.set(0);
        this.logger.warn(`no partitions sent from until the group assigns them again (${reason})`);
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
