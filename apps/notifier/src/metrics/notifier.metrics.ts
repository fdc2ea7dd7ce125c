import { Injectable } from '@nestjs/common';
import { AppMetrics } from '@runstream/observability';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The notifier's own Prometheus metrics (prom-client), served with the app's (AppMetrics). One
 * registry per instance, so two instances in one process, as in tests, do not share counters.
 */
@Injectable()
export class NotifierMetrics {
  readonly registry = new Registry();

  /** Series that ended, by channel and how: delivered, failed, disabled. */
  readonly deliveries = new Counter({
    name: 'runstream_notifier_deliveries_total',
    help: 'Delivery series that ended, by channel (webhook, slack) and result (delivered, failed, disabled).',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });

  readonly attempts = new Counter({
    name: 'runstream_notifier_attempts_total',
    help: 'Attempts made, by channel and result (delivered, retrying, failed, disabled).',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });

  readonly attemptSeconds = new Histogram({
    name: 'runstream_notifier_attempt_duration_seconds',
    help: 'Time one attempt took, from the job lookup to the recorded result.',
    labelNames: ['channel'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'runstream_notifier_queue_depth',
    help: 'Open delivery series (pending or retrying) of the partitions this instance owns.',
    registers: [this.registry],
  });

  readonly outcomes = new Counter({
    name: 'runstream_notifier_outcomes_total',
    help: 'Run outcomes of jobs taken from the event log.',
    registers: [this.registry],
  });

  readonly staleOutcomes = new Counter({
    name: 'runstream_notifier_stale_outcomes_total',
    help: 'Status changes read from the event log older than NOTIFIER_MAX_OUTCOME_AGE_MS, which open no delivery.',
    registers: [this.registry],
  });

  readonly seriesOpened = new Counter({
    name: 'runstream_notifier_series_opened_total',
    help: 'Delivery series opened (an outcome seen again opens none).',
    registers: [this.registry],
  });

  readonly ownedPartitions = new Gauge({
    name: 'runstream_notifier_owned_partitions',
    help: 'runs.events.v1 partitions this instance owns (it sends their series).',
    registers: [this.registry],
  });

  constructor(app: AppMetrics) {
    app.include(this.registry);
  }
}
