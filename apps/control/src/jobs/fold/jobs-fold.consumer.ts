import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { checkTopicPartitions, ClickHouseStore } from '@runstream/clickhouse';
import { createKafka, ensureTopics, EventConsumer, KafkajsBatchConsumer } from '@runstream/kafka';
import { AppMetrics } from '@runstream/observability';
import { Kafka } from 'kafkajs';
import { CONTROL_CONFIG, ControlConfig } from '../../config/control.config';
import { jobTopicSpecs } from '../../events/control-event-log';
import { JobsDeadLetters } from './jobs-dead-letters';
import { JobsFoldService } from './jobs-fold.service';

/** Job commands are small and rare; a flush this size is never the limit. */
const MAX_BATCH = 1_000;
const MAX_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

/**
 * The jobs fold's consumer group on jobs.events.v1: offsets committed after the writes and the
 * dead letters. A fold that keeps failing past the retry budget ends the process (exit 1), so
 * that another member takes the partitions over instead of job writes waiting on a stuck one.
 * Shutdown order: stop fetching, flush and commit what is buffered, then the dead-letter publisher.
 */
@Injectable()
export class JobsFoldConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobsFoldConsumer');
  private readonly kafka: Kafka;
  readonly consumer: EventConsumer;
  /** The partition count the job rows are folded under, once checked at start. */
  private partitions?: number;

  constructor(
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
    private readonly fold: JobsFoldService,
    private readonly deadLetters: JobsDeadLetters,
    private readonly store: ClickHouseStore,
    @Optional() metrics?: AppMetrics,
  ) {
    this.kafka = createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-jobs-fold` });
    this.consumer = new KafkajsBatchConsumer(this.kafka, {
      groupId: config.jobsFold.groupId,
      topic: config.kafka.topics.jobs,
      maxBatchSize: MAX_BATCH,
      flushIntervalMs: config.jobsFold.flushIntervalMs,
      maxBytesInFlight: MAX_BYTES_IN_FLIGHT,
      maxRetryMs: config.jobsFold.maxRetryMs,
      onSinkError: (error, attempt) => this.logger.error(`jobs fold write failed (attempt ${attempt}), retrying: ${error.message}`),
      onFatal: (error) => {
        this.logger.fatal(`jobs fold gave up: ${error.message}`);
        process.exit(1);
      },
      // Partitions added while running fail the consumer before it fetches from them (the start checks a restart).
      partitionCount: () => this.partitions,
    });
    metrics?.watchLag(config.jobsFold.groupId, config.kafka.topics.jobs, this.consumer);
  }

  async onApplicationBootstrap(): Promise<void> {
    const partitions = await ensureTopics(this.kafka, jobTopicSpecs(this.config.kafka), this.config.kafka.brokers);
    // Job rows are versioned by their offset within a partition, as runs are: the count must not have changed.
    this.partitions = await checkTopicPartitions(this.store, this.config.kafka.topics.jobs, partitions.get(this.config.kafka.topics.jobs));
    await this.deadLetters.connect();
    await this.consumer.start((messages) => this.fold.fold(messages));
    this.logger.log(`consuming ${this.config.kafka.topics.jobs} as group ${this.config.jobsFold.groupId}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    try {
      await this.consumer.stop();
    } finally {
      await this.deadLetters.disconnect();
    }
  }
}
