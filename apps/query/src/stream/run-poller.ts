import { Logger } from '@nestjs/common';
import { currentRing, fromChDateTime, RunLogEntryRow, RunRow, RunTelemetrySampleRow, SeqRange, telemetrySummaryOf, toJobRun } from '@runstream/clickhouse';
import { isTerminal, RunStatus } from '@runstream/events';
import { formatStreamCursor, StreamCursor } from './stream-cursor';
import { RunStreamSource } from './run-stream.source';

export type StreamEventName = 'run' | 'log' | 'sample' | 'end';

export interface StreamSink {
  send(id: string, event: StreamEventName, data: unknown): void;
  end(): void;
}

export interface Subscriber {
  cursor: StreamCursor;
  sink: StreamSink;
}

/**
 * One poller per streamed run, shared by every open stream of it: each tick reads the run
 * row once and, only when some stream is behind it, the log lines and samples the row
 * already counts (seq below log_count / sample_count), so a stream never sends a line the
 * run row does not yet cover and a quiet run costs one lookup per tick.
 */
export class RunPoller {
  private readonly logger = new Logger('RunPoller');
  private readonly subscribers = new Set<Subscriber>();
  private running = false;

  constructor(
    private readonly source: RunStreamSource,
    private readonly orgId: string,
    private readonly runId: string,
    private readonly intervalMs: number,
    private readonly onIdle: () => void,
  ) {}

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    if (!this.running) void this.loop();
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
  }

  get size(): number {
    return this.subscribers.size;
  }

  private async loop(): Promise<void> {
    this.running = true;
    while (this.subscribers.size > 0) {
      try {
        await this.tick();
      } catch (error) {
        // A failed read (ClickHouse busy or down) is retried next tick; the streams stay open.
        this.logger.warn(`run ${this.runId}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (this.subscribers.size > 0) await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
    this.running = false;
    this.onIdle();
  }

  private async tick(): Promise<void> {
    const run = await this.source.run(this.orgId, this.runId);
    if (!run) return;
    const subscribers = [...this.subscribers];
    const logs = await this.behind(
      subscribers,
      currentRing(run, run.log_generation, run.log_count),
      (c) => [c.logGeneration, c.logSeq],
      (range) => this.source.logs(range),
    );
    const samples = await this.behind(
      subscribers,
      currentRing(run, run.sample_generation, run.sample_count),
      (c) => [c.sampleGeneration, c.sampleSeq],
      (range) => this.source.samples(range),
    );
    for (const subscriber of subscribers) {
      if (this.subscribers.has(subscriber)) this.deliver(subscriber, run, logs, samples);
    }
  }

  /** The rows of one ring (as far as the run row counts it) some subscriber has not had yet, in one read for all of them. */
  private async behind<R>(
    subscribers: Subscriber[],
    ring: SeqRange | undefined,
    position: (cursor: StreamCursor) => [number, number],
    read: (range: SeqRange) => Promise<R[]>,
  ): Promise<R[]> {
    if (!ring) return [];
    const after = Math.min(...subscribers.map((s) => (position(s.cursor)[0] === ring.generation ? position(s.cursor)[1] : -1)));
    if (after >= ring.before - 1) return [];
    return read({ ...ring, after });
  }

  private deliver(subscriber: Subscriber, run: RunRow, logs: RunLogEntryRow[], samples: RunTelemetrySampleRow[]): void {
    let cursor = subscriber.cursor;
    if (cursor.logGeneration !== run.log_generation) cursor = { ...cursor, logGeneration: run.log_generation, logSeq: -1 };
    if (cursor.sampleGeneration !== run.sample_generation) cursor = { ...cursor, sampleGeneration: run.sample_generation, sampleSeq: -1 };
    for (const line of logs) {
      const seq = Number(line.seq);
      if (seq <= cursor.logSeq) continue;
      cursor = { ...cursor, logSeq: seq };
      subscriber.sink.send(formatStreamCursor(cursor), 'log', { seq, at: fromChDateTime(line.at), level: line.level, message: line.message });
    }
    for (const sample of samples) {
      const seq = Number(sample.seq);
      if (seq <= cursor.sampleSeq) continue;
      cursor = { ...cursor, sampleSeq: seq };
      subscriber.sink.send(formatStreamCursor(cursor), 'sample', { ...sample.values, seq, at: fromChDateTime(sample.at) });
    }
    const offset = BigInt(run.kafka_offset);
    if (offset > cursor.runOffset) {
      cursor = { ...cursor, runOffset: offset };
      subscriber.sink.send(formatStreamCursor(cursor), 'run', { ...toJobRun(run), telemetry_summary: telemetrySummaryOf(run) });
    }
    subscriber.cursor = cursor;
    if (isTerminal(run.status as RunStatus)) {
      subscriber.sink.send(formatStreamCursor(cursor), 'end', { status: run.status });
      this.subscribers.delete(subscriber);
      subscriber.sink.end();
    }
  }
}
