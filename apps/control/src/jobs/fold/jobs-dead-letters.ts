import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DeadLetter, EventPublisher, publishDeadLetters } from '@runstream/kafka';
import { AppMetrics } from '@runstream/observability';
import { Counter, Registry } from 'prom-client';
import { CONTROL_CONFIG, ControlConfig } from '../../config/control.config';

/** Injects the publisher the jobs fold sends dead letters with (an idempotent, acks=all KafkajsPublisher; control.module.ts). */
export const JOBS_DEAD_LETTER_PUBLISHER = Symbol('JOBS_DEAD_LETTER_PUBLISHER');

/**
 * The jobs fold's dead-letter topic (jobs.events.dlq.v1): what the fold cannot decode goes there
 * with its key and bytes unchanged and its reason and origin in headers, as the materializer's do.
 * send() resolves once the broker acknowledged, so the fold, which awaits it, lets the consumer
 * commit past a bad message only once it is kept.
 */
@Injectable()
export class JobsDeadLetters {
  private readonly logger = new Logger('JobsFold');
  private readonly registry = new Registry();
  private readonly sent = new Counter({
    name: 'runstream_control_jobs_fold_dead_letters_total',
    help: 'Messages the jobs fold sent to the jobs dead-letter topic (undecodable job events).',
    registers: [this.registry],
  });

  constructor(
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
    @Inject(JOBS_DEAD_LETTER_PUBLISHER) private readonly publisher: EventPublisher,
    @Optional() metrics?: AppMetrics,
  ) {
    metrics?.include(this.registry);
  }

  /** Before the consumer starts: a fold must be able to dead-letter from its first flush. */
  connect(): Promise<void> {
    return this.publisher.connect();
  }

  /** After the consumer stopped: its last flush may still be sending. */
  disconnect(): Promise<void> {
    return this.publisher.disconnect();
  }

  async send(dead: DeadLetter[]): Promise<void> {
    if (dead.length === 0) return;
    await publishDeadLetters(this.publisher, this.config.kafka.topics.jobDeadLetters, dead);
    this.sent.inc(dead.length);
    for (const { message, reason } of dead) this.logger.warn(`dead letter ${message.topic}/${message.partition}@${message.offset}: ${reason}`);
  }
}
