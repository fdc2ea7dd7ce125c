import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { encodeEvent, RunEventEnvelope } from '@runstream/events';
import { createKafka, DEAD_LETTER_HEADROOM_BYTES, ensureTopics, KafkajsPublisher, KafkaProbe, runTopicSpecs } from '@runstream/kafka';
import { AppMetrics } from '@runstream/observability';
import { Kafka } from 'kafkajs';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';

/** Room left for the message key (the run id) when sizing an event against the topic limit. */
const KEY_ALLOWANCE_BYTES = 256;

/**
 * Appends run events to runs.events.v1; resolves once the broker acknowledged them, or
 * rejects by the publish deadline (PublishTimeoutError), at once when too much is pending
 * (PublisherOverloadedError), or for an event over the topic limit (MessageTooLargeError).
 */
@Injectable()
export class RunEventLog implements OnModuleInit, OnApplicationShutdown {
  private readonly kafka: Kafka;
  private readonly publisher: KafkajsPublisher;
  /** Readiness: the cluster answers a metadata request (GET /health/ready). */
  readonly probe: KafkaProbe;

  constructor(
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    @Optional() metrics?: AppMetrics,
  ) {
    this.kafka = createKafka(config.kafka);
    this.probe = new KafkaProbe(this.kafka);
    this.publisher = new KafkajsPublisher(this.kafka, {
      deadlineMs: config.publish.deadlineMs,
      maxPendingBytes: config.publish.maxPendingBytes,
      topics: [config.kafka.topics.events],
      observer: metrics,
    });
  }

  async onModuleInit(): Promise<void> {
    await ensureTopics(this.kafka, runTopicSpecs(this.config.kafka), this.config.kafka.brokers);
    await this.publisher.connect();
  }

  /** Key = run id: all events of a run land on one partition, in order. `encoded`: the events' encodeEvent, when the caller has it. */
  append(events: RunEventEnvelope[], encoded: Buffer[] = events.map(encodeEvent)): Promise<void> {
    return this.publisher.publish(
      this.config.kafka.topics.events,
      events.map((event, i) => ({ key: event.run_id, value: encoded[i] })),
    );
  }

  /** Largest encoded event (encodeEvent bytes) the events topic accepts, and its dead-letter topic with a dead letter's headers; check before append. */
  maxEventBytes(): number {
    return this.publisher.maxMessageBytes(this.config.kafka.topics.events) - KEY_ALLOWANCE_BYTES - DEAD_LETTER_HEADROOM_BYTES;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.probe.close();
    await this.publisher.disconnect();
  }
}
