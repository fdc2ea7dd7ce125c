import type { StatementKind, StatementObserver } from '@runstream/clickhouse';
import type { EventConsumer, PublishObserver, PublishOutcome } from '@runstream/kafka';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds: from a cached read (1 ms) to a request at its deadline (30 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How a task for a worker thread ended: done, failed (answered 503) or busy (its queue was full, answered 503). */
export type WorkerTaskOutcome = 'done' | 'failed' | 'busy';

interface WatchedConsumer {
  group: string;
  topic: string;
  consumer: Pick<EventConsumer, 'lag'>;
}

/**
 * One app's Prometheus registry (prom-client): process and Node.js metrics, HTTP request,
 * Kafka publish and ClickHouse statement latencies, and the lag of its consumers. Every series
 * carries `app`; one registry per app instance, so the apps `npm start` runs in one process
 * each keep their own.
 */
export class AppMetrics implements PublishObserver, StatementObserver {
  readonly registry = new Registry();
  private readonly consumers: WatchedConsumer[] = [];
  private readonly parts: Registry[] = [];

  private readonly httpSeconds = new Histogram({
    name: 'runstream_http_request_duration_seconds',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly publishSeconds = new Histogram({
    name: 'runstream_kafka_publish_duration_seconds',
    help: 'Kafka publish calls, from the call to the acks=all acknowledgement, by topic and outcome (acknowledged, timeout, refused).',
    labelNames: ['topic', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly statementSeconds = new Histogram({
    name: 'runstream_clickhouse_statement_duration_seconds',
    help: 'ClickHouse statements, by kind (query, command, insert) and outcome (ok, error).',
    labelNames: ['kind', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly workerTasks = new Counter({
    name: 'runstream_worker_tasks_total',
    help: "Tasks for the app's worker threads (json: large request bodies; scrub: ingest's large writes), by outcome (done, failed, busy).",
    labelNames: ['worker', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly lagReadErrors = new Counter({
    name: 'runstream_kafka_consumer_lag_read_errors_total',
    help: "Scrapes that could not read a consumer group's lag (Kafka away), whose lag series were left out; shows from the next scrape.",
    labelNames: ['group', 'topic'] as const,
    registers: [this.registry],
  });

  private readonly workerQueues = new Map<string, () => number>();

  constructor(readonly app: string) {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry });
    const workerQueues = this.workerQueues;
    new Gauge({
      name: 'runstream_worker_queue_depth',
      help: 'Tasks waiting for each worker thread of the app, read at scrape time.',
      labelNames: ['worker'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [worker, depth] of workerQueues) this.set({ worker }, depth());
      },
    });
    const consumers = this.consumers;
    const lagReadErrors = this.lagReadErrors;
    new Gauge({
      name: 'runstream_kafka_consumer_lag',
      help: "Messages behind the end of each partition (high watermark minus the group's committed offset), read at scrape time.",
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [this.registry],
      // A lag read that fails (Kafka away) leaves out only that group's series: the scrape still
      // carries every other series, the apps' health gauges among them, when they matter most.
      async collect() {
        this.reset();
        const reads = await Promise.allSettled(consumers.map(({ consumer }) => consumer.lag()));
        reads.forEach((read, i) => {
          const { group, topic } = consumers[i];
          if (read.status === 'rejected') lagReadErrors.inc({ group, topic });
          else for (const { partition, lag } of read.value) this.set({ group, topic, partition: String(partition) }, lag);
        });
      },
    });
  }

  workerTask(worker: string, outcome: WorkerTaskOutcome): void {
    this.workerTasks.inc({ worker, outcome });
  }

  /** Reports `depth()` as runstream_worker_queue_depth{worker}: tasks waiting for that worker thread. */
  watchWorkerQueue(worker: string, depth: () => number): void {
    this.workerQueues.set(worker, depth);
  }

  request(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpSeconds.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  published(topic: string, seconds: number, outcome: PublishOutcome): void {
    this.publishSeconds.observe({ topic, outcome }, seconds);
  }

  statement(kind: StatementKind, seconds: number, failed: boolean): void {
    this.statementSeconds.observe({ kind, outcome: failed ? 'error' : 'ok' }, seconds);
  }

  /** Reports `consumer`'s lag as runstream_kafka_consumer_lag{group, topic, partition}. */
  watchLag(group: string, topic: string, consumer: Pick<EventConsumer, 'lag'>): void {
    this.consumers.push({ group, topic, consumer });
  }

  /** Serves an app's own metrics (their own registry, so their names are checked apart) with these, labelled alike. */
  include(registry: Registry): void {
    registry.setDefaultLabels({ app: this.app });
    this.parts.push(registry);
  }

  /** The exposition text; a collector that throws fails the scrape (a failed lag read does not: it is counted). */
  async exposition(): Promise<string> {
    // Concatenated, not Registry.merge(): the merged registry would drop the default labels.
    const texts = await Promise.all([this.registry, ...this.parts].map((registry) => registry.metrics()));
    return texts.join('\n');
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** GET /metrics as an HTTP answer: the exposition, or 503 with Retry-After when a collector fails. */
  async answer(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    try {
      return { status: 200, headers: { 'content-type': this.contentType, 'cache-control': 'no-store' }, body: await this.exposition() };
    } catch (error) {
      return { status: 503, headers: { 'content-type': 'text/plain', 'retry-after': '5' }, body: `metrics unavailable: ${(error as Error).message}` };
    }
  }
}
