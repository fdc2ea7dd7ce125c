import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { encodeEvent, RunEventEnvelope } from '@runstream/events';
import { createKafka, ensureTopics, KafkajsPublisher } from '@runstream/kafka';
import { Kafka } from 'kafkajs';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';

/** Appends run events to runs.events.v1; resolves once the broker acknowledged them. */
@Injectable()
export class RunEventLog implements OnModuleInit, OnApplicationShutdown {
  private readonly kafka: Kafka;
  private readonly publisher: KafkajsPublisher;

  constructor(@Inject(INGEST_CONFIG) private readonly config: IngestConfig) {
    this.kafka = createKafka(config.kafka);
    this.publisher = new KafkajsPublisher(this.kafka);
  }

  async onModuleInit(): Promise<void> {
    const { topics, topicPartitions } = this.config.kafka;
    await ensureTopics(this.kafka, [
      { topic: topics.events, numPartitions: topicPartitions },
      { topic: topics.deadLetters, numPartitions: topicPartitions },
    ]);
    await this.publisher.connect();
  }

  /** Key = run id: all events of a run land on one partition, in order. */
  append(events: RunEventEnvelope[]): Promise<void> {
    return this.publisher.publish(
      this.config.kafka.topics.events,
      events.map((event) => ({ key: event.run_id, value: encodeEvent(event) })),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}
