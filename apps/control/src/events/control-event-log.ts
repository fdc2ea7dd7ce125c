import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { encodeEvent, encodeJobEvent, JobEventEnvelope, jobEventKey, RunEventEnvelope } from '@runstream/events';
import { createKafka, ensureTopics, KafkajsPublisher, KafkaProbe, runTopicSpecs, TopicSpec } from '@runstream/kafka';
import { AppMetrics } from '@runstream/observability';
import { Kafka } from 'kafkajs';
import { CONTROL_CONFIG, ControlConfig } from '../config/control.config';

/** jobs.events.v1 and its dead-letter topic are created like the run topics: same partitions and durability settings. */
export function jobTopicSpecs(config: ControlConfig['kafka']): TopicSpec[] {
  const { topicPartitions: numPartitions, replicationFactor, minInsyncReplicas } = config;
  return [config.topics.jobs, config.topics.jobDeadLetters].map((topic) => ({ topic, numPartitions, replicationFactor, minInsyncReplicas, keepForever: true }));
}

/**
 * The control plane's writes to the event log: job commands on jobs.events.v1 (key org/project)
 * and the runs it starts on runs.events.v1 (key run id). Each append resolves once the broker
 * acknowledged it (acks = all) and rejects with the publisher's errors (PublishTimeoutError,
 * PublisherOverloadedError, MessageTooLargeError, PublisherUnavailableError).
 */
@Injectable()
export class ControlEventLog implements OnModuleInit, OnApplicationShutdown {
  readonly kafka: Kafka;
  private readonly publisher: KafkajsPublisher;
  /** Readiness: the cluster answers a metadata request (GET /health/ready). */
  readonly probe: KafkaProbe;

  constructor(
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
    @Optional() metrics?: AppMetrics,
  ) {
    this.kafka = createKafka(config.kafka);
    this.probe = new KafkaProbe(this.kafka);
    this.publisher = new KafkajsPublisher(this.kafka, {
      deadlineMs: config.publishDeadlineMs,
      topics: [config.kafka.topics.jobs, config.kafka.topics.events],
      observer: metrics,
    });
  }

  async onModuleInit(): Promise<void> {
    await ensureTopics(this.kafka, [...runTopicSpecs(this.config.kafka), ...jobTopicSpecs(this.config.kafka)], this.config.kafka.brokers);
    await this.publisher.connect();
  }

  appendJobEvent(event: JobEventEnvelope): Promise<void> {
    return this.publisher.publish(this.config.kafka.topics.jobs, [{ key: jobEventKey(event.org_id, event.project_id), value: encodeJobEvent(event) }]);
  }

  appendRunEvent(event: RunEventEnvelope): Promise<void> {
    return this.publisher.publish(this.config.kafka.topics.events, [{ key: event.run_id, value: encodeEvent(event) }]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.probe.close();
    await this.publisher.disconnect();
  }
}
