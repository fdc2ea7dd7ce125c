import { Inject, Injectable } from '@nestjs/common';
import { AppMetrics } from '@runstream/observability';
import { Counter, Gauge, Registry } from 'prom-client';
import { MATERIALIZER_CONFIG, MaterializerConfig } from '../config/materializer.config';
import { MaterializerService } from '../consumer/materializer.service';
import { RunEventsConsumer } from '../consumer/run-events.consumer';
import { healthOf } from './health';

const CONSUMER_STATUSES = ['starting', 'running', 'retrying', 'restarting', 'failed', 'stopped'] as const;
const PREFIX = 'runstream_materializer';

/**
 * The materializer's own Prometheus series (prom-client), read from the consumer and the fold
 * at scrape time and served with the app's (AppMetrics: process, ClickHouse statements, the
 * consumer group's lag as runstream_kafka_consumer_lag).
 */
@Injectable()
export class MaterializerMetrics {
  private readonly registry = new Registry();

  constructor(
    app: AppMetrics,
    @Inject(MATERIALIZER_CONFIG) private readonly config: MaterializerConfig,
    private readonly consumer: RunEventsConsumer,
    private readonly materializer: MaterializerService,
  ) {
    const metrics = () => this.consumer.consumer.metrics();
    const totals = () => this.materializer.totals;
    this.counter('flushes_total', 'Flushes written and committed.', () => metrics().flushes);
    this.counter('messages_total', 'Kafka messages written and committed.', () => metrics().messages);
    this.counter('failed_write_attempts_total', 'Flush attempts that failed and were retried.', () => metrics().failedAttempts);
    this.counter('events_total', 'Events folded (decodable messages).', () => totals().events);
    this.counter('runs_written_total', 'Run rows written.', () => totals().runsWritten);
    this.counter('log_entries_written_total', 'Log lines written.', () => totals().logEntries);
    this.counter('samples_written_total', 'Telemetry samples written.', () => totals().samples);
    this.counter('executions_written_total', 'Model executions written.', () => totals().executions);
    this.counter('dead_letters_total', 'Messages sent to the dead-letter topic.', () => totals().deadLetters);
    this.gauge('healthy', '1 when GET /health answers 200, 0 when it answers 503.', () => (this.health().status === 'ok' ? 1 : 0));
    this.gauge(
      'failing_seconds',
      'How long the current flush (or the Kafka consumer) has been failing; 0 when it is not.',
      () => this.health().failingSeconds ?? 0,
    );
    this.gauge('buffered_messages', 'Messages fetched and waiting for their flush.', () => metrics().buffered);
    this.gauge('last_flush_messages', 'Messages in the last flush.', () => metrics().lastFlushSize);
    this.gauge(
      'last_flush_started_timestamp_seconds',
      'Unix time the newest flush took its messages from the buffer (0 before the first); the next starts one flush interval later.',
      () => metrics().lastFlushStartedAt / 1000,
    );
    this.gauge('last_flush_seconds', 'Duration of the last flush: ClickHouse writes and offset commit.', () => metrics().lastFlushMs / 1000);
    const state = () => this.health().consumer;
    new Gauge({
      name: `${PREFIX}_consumer_state`,
      help: 'The Kafka consumer state: 1 for the current one (running, retrying a flush, restarting after a crash, failed for good, stopped).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        for (const name of CONSUMER_STATUSES) this.set({ state: name }, state() === name ? 1 : 0);
      },
    });
    app.include(this.registry);
    app.watchLag(config.groupId, config.kafka.topics.events, this.consumer.consumer);
  }

  private health() {
    return healthOf(this.consumer.consumer.state(), Date.now(), this.config.unhealthyAfterMs);
  }

  private counter(name: string, help: string, read: () => number): void {
    new Counter({
      name: `${PREFIX}_${name}`,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  private gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name: `${PREFIX}_${name}`,
      help,
      registers: [this.registry],
      collect: function () {
        this.set(read());
      },
    });
  }
}
