import { ConsumerMetrics } from '@runstream/kafka';
import { MaterializeStats } from '../consumer/materializer.service';
import { Health } from './health';

const CONSUMER_STATUSES = ['starting', 'running', 'retrying', 'restarting', 'failed', 'stopped'] as const;

const PREFIX = 'runstream_materializer';

interface Sample {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  values: { labels?: Record<string, string>; value: number }[];
}

function render(samples: Sample[]): string {
  const lines: string[] = [];
  for (const sample of samples) {
    lines.push(`# HELP ${PREFIX}_${sample.name} ${sample.help}`, `# TYPE ${PREFIX}_${sample.name} ${sample.type}`);
    for (const { labels, value } of sample.values) {
      const labelText = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : '';
      lines.push(`${PREFIX}_${sample.name}${labelText} ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Prometheus text exposition of the consumer, the fold and the consumer lag. */
export function renderMetrics(consumer: ConsumerMetrics, totals: MaterializeStats, lag: { partition: number; lag: number }[], health: Health): string {
  const counter = (name: string, help: string, value: number): Sample => ({ name, help, type: 'counter', values: [{ value }] });
  const gauge = (name: string, help: string, value: number): Sample => ({ name, help, type: 'gauge', values: [{ value }] });
  return render([
    counter('flushes_total', 'Flushes written and committed.', consumer.flushes),
    counter('messages_total', 'Kafka messages written and committed.', consumer.messages),
    counter('failed_write_attempts_total', 'Flush attempts that failed and were retried.', consumer.failedAttempts),
    counter('events_total', 'Events folded (decodable messages).', totals.events),
    counter('runs_written_total', 'Run rows written.', totals.runsWritten),
    counter('log_entries_written_total', 'Log lines written.', totals.logEntries),
    counter('samples_written_total', 'Telemetry samples written.', totals.samples),
    counter('executions_written_total', 'Model executions written.', totals.executions),
    counter('dead_letters_total', 'Messages sent to the dead-letter topic.', totals.deadLetters),
    gauge('healthy', '1 when GET /health answers 200, 0 when it answers 503.', health.status === 'ok' ? 1 : 0),
    {
      name: 'consumer_state',
      help: 'The Kafka consumer state: 1 for the current one (running, retrying a flush, restarting after a crash, failed for good, stopped).',
      type: 'gauge',
      values: CONSUMER_STATUSES.map((state) => ({ labels: { state }, value: health.consumer === state ? 1 : 0 })),
    },
    gauge('failing_seconds', 'How long the current flush (or the Kafka consumer) has been failing; 0 when it is not.', health.failingSeconds ?? 0),
    gauge('buffered_messages', 'Messages fetched and waiting for their flush.', consumer.buffered),
    gauge('last_flush_messages', 'Messages in the last flush.', consumer.lastFlushSize),
    gauge('last_flush_seconds', 'Duration of the last flush: ClickHouse writes and offset commit.', consumer.lastFlushMs / 1000),
    { name: 'consumer_lag', help: 'Messages behind the end of each partition (high watermark minus committed offset).', type: 'gauge', values: lag.map((p) => ({ labels: { partition: String(p.partition) }, value: p.lag })) },
  ]);
}
