import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { checkTopicPartitions, ClickHouseStore } from '@runstream/clickhouse';
import { createKafka, ensureTopics, EventConsumer, EventPublisher, KafkajsBatchConsumer, runTopicSpecs } from '@runstream/kafka';
import { Kafka } from 'kafkajs';
import { MATERIALIZER_CONFIG, MaterializerConfig } from '../config/materializer.config';
import { DEAD_LETTER_PUBLISHER } from './dead-letter-publisher';
import { FatalExit } from './fatal-exit';
import { MaterializerService } from './materializer.service';

/**
 * Owns the consumer group's lifecycle. It starts only under the partition count the read models
 * were folded under (checkTopicPartitions). Shutdown order: stop fetching, flush and commit
 * what is buffered, disconnect Kafka; ClickHouse closes after (onApplicationShutdown).
 */
@Injectable()
export class RunEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RunEventsConsumer');
  private readonly kafka: Kafka;
  readonly consumer: EventConsumer;
  /** The partition count the read models are folded under, once checked at start. */
  private partitions?: number;

  constructor(
    @Inject(MATERIALIZER_CONFIG) private readonly config: MaterializerConfig,
    private readonly materializer: MaterializerService,
    @Inject(DEAD_LETTER_PUBLISHER) private readonly deadLetters: EventPublisher,
    private readonly fatal: FatalExit,
    private readonly store: ClickHouseStore,
  ) {
    this.kafka = createKafka(config.kafka);
    this.consumer = new KafkajsBatchConsumer(this.kafka, {
      groupId: config.groupId,
      topic: config.kafka.topics.events,
      maxBatchSize: config.maxBatchSize,
      flushIntervalMs: config.flushIntervalMs,
      maxBytesInFlight: config.maxBytesInFlight,
      retryInitialMs: config.retry.initialMs,
      maxRetryMs: config.retry.maxTotalMs,
      onSinkError: (error, attempt) => this.logger.error(`write failed (attempt ${attempt}), retrying: ${error.message}`),
      onFatal: (error) => this.fatal.exit(error),
      // Partitions added while running fail the consumer before it fetches from them (the start checks a restart).
      partitionCount: () => this.partitions,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const partitions = await ensureTopics(this.kafka, runTopicSpecs(this.config.kafka), this.config.kafka.brokers);
    const topic = this.config.kafka.topics.events;
    this.partitions = await checkTopicPartitions(this.store, topic, partitions.get(topic));
    await this.deadLetters.connect();
    await this.consumer.start(async (messages) => {
      await this.materializer.materialize(messages);
    });
    this.logger.log(`consuming ${this.config.kafka.topics.events} as group ${this.config.groupId}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.deadLetters.disconnect();
  }
}
